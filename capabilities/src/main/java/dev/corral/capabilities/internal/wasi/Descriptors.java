package dev.corral.capabilities.internal.wasi;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One instance's descriptor table: numbers to descriptors, bounded, lowest free number first
 * (like POSIX), and its snapshots.
 */
final class Descriptors {
    static final int MAX_FDS = 1024;

    private final TreeMap<Integer, Fd> fds = new TreeMap<>();
    /** Files a snapshot captured and the guest closed since: kept open so a restore can bring them back. */
    private final Set<Fd.File> retained = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

    Fd get(long fd) throws Failure {
        Fd f = fd < 0 || fd > Integer.MAX_VALUE ? null : fds.get((int) fd);
        if (f == null) {
            throw Failure.fail(Errno.BADF);
        }
        return f;
    }

    boolean contains(int fd) {
        return fds.containsKey(fd);
    }

    int size() {
        return fds.size();
    }

    void put(int fd, Fd f) {
        fds.put(fd, f);
    }

    /** The lowest free number. */
    int free() throws Failure {
        if (fds.size() >= MAX_FDS) {
            throw Failure.fail(Errno.MFILE);
        }
        int n = 0;
        while (fds.containsKey(n)) {
            n++;
        }
        return n;
    }

    /** Removes {@code fd}, closing its file unless a snapshot may still need it. */
    void close(int fd) throws Failure, IOException {
        Fd x = fds.remove(fd);
        if (x == null) {
            throw Failure.fail(Errno.BADF);
        }
        release(x);
    }

    void renumber(int from, int to) throws Failure, IOException {
        Fd f = get(from);
        Fd t = get(to);
        if (f != t) {
            fds.put(to, f);
            fds.remove(from);
            if (!fds.containsValue(t)) {
                release(t);
            }
        }
    }

    private void release(Fd x) throws IOException {
        if (x instanceof Fd.File && !fds.containsValue(x)) {
            Fd.File f = (Fd.File) x;
            if (f.captured) {
                retained.add(f);
            } else {
                f.ch.close();
            }
        }
    }

    /** Closes every file, retained ones included; the table is empty afterwards. */
    void closeAll() {
        List<Fd> all = new ArrayList<>(fds.values());
        all.addAll(retained);
        fds.clear();
        retained.clear();
        for (Fd f : all) {
            if (f instanceof Fd.File) {
                try {
                    ((Fd.File) f).ch.close();
                } catch (IOException ignored) {
                    // closing a channel we own; nothing the guest can still observe
                }
            }
        }
    }

    /** The table as it is: which descriptor under which number, and each one's guest-visible state. */
    Snapshot snapshot() throws IOException {
        Map<Integer, Fd> table = new HashMap<>(fds);
        Map<Fd, long[]> state = new IdentityHashMap<>();
        for (Fd f : fds.values()) {
            long pos = -1;
            if (f instanceof Fd.File) {
                Fd.File file = (Fd.File) f;
                file.captured = true;
                pos = file.ch.isOpen() ? file.ch.position() : -1;
            }
            state.put(f, new long[] {f.rightsBase, f.rightsInheriting, f.flags, pos});
        }
        return new Snapshot(table, state);
    }

    /**
     * Back to the snapshot: descriptors opened since are closed, those closed or renumbered since
     * come back under their numbers, with their rights, flags and file positions as they were.
     * File contents are the host's and are not touched.
     */
    void restore(Snapshot s) {
        Set<Fd> keep = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        keep.addAll(s.table.values());
        for (Fd f : fds.values()) {
            if (!keep.contains(f) && f instanceof Fd.File) {
                closeQuietly((Fd.File) f);
            }
        }
        fds.clear();
        fds.putAll(s.table);
        retained.removeAll(keep); // open again; others stay retained for older snapshots
        for (Map.Entry<Fd, long[]> e : s.state.entrySet()) {
            Fd f = e.getKey();
            long[] v = e.getValue();
            f.rightsBase = v[0];
            f.rightsInheriting = v[1];
            f.flags = (int) v[2];
            if (f instanceof Fd.File && v[3] >= 0) {
                try {
                    ((Fd.File) f).ch.position(v[3]);
                } catch (IOException ignored) {
                    // the channel stays open (captured files are never closed); nothing else can fail here
                }
            }
        }
    }

    private void closeQuietly(Fd.File f) {
        if (f.captured) {
            retained.add(f); // an older snapshot may still hold it
            return;
        }
        try {
            f.ch.close();
        } catch (IOException ignored) {
            // ours to close
        }
    }

    /** Immutable once taken; restorable any number of times. */
    static final class Snapshot {
        final Map<Integer, Fd> table;
        final Map<Fd, long[]> state;

        Snapshot(Map<Integer, Fd> table, Map<Fd, long[]> state) {
            this.table = Map.copyOf(table);
            this.state = state;
        }
    }
}
