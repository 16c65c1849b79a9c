package dev.corral.capabilities;

import static dev.corral.capabilities.Probe.FOLLOW;
import static dev.corral.capabilities.Probe.O_CREAT;
import static dev.corral.capabilities.Probe.O_DIRECTORY;
import static dev.corral.capabilities.Probe.READ;
import static dev.corral.capabilities.Probe.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way out of a READ_WRITE preopen the issue names: the guest sees the errno, and nothing
 * outside the granted directory changes (snapshot of the sibling "outside" directory).
 */
class EscapeTest {
    static final int ENOTCAPABLE = 76;
    static final int ELOOP = 32;
    static final int EPERM = 63;
    static final int EBUSY = 10;
    static final int EROFS = 69;
    static final int EDQUOT = 19;

    @TempDir
    Path base;
    Path sandbox;
    Path outside;
    Map<String, String> outsideBefore;
    Wasi wasi;
    Probe g;

    @BeforeEach
    void setUp() throws Exception {
        outside = Files.createDirectory(base.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "secret");
        sandbox = Files.createDirectory(base.resolve("sandbox"));
        Files.writeString(sandbox.resolve("file.txt"), "hello");
        Files.createDirectory(sandbox.resolve("sub"));
        Files.createSymbolicLink(sandbox.resolve("out_abs"), outside.resolve("secret.txt").toAbsolutePath());
        Files.createSymbolicLink(sandbox.resolve("out_rel"), Path.of("../outside/secret.txt"));
        Files.createSymbolicLink(sandbox.resolve("out_dir"), Path.of("../outside"));
        Files.createSymbolicLink(sandbox.resolve("in_rel"), Path.of("sub/../file.txt"));
        outsideBefore = Probe.snapshot(outside);
        wasi = Wasi.builder().directory(sandbox, "/data", Access.READ_WRITE).build();
        g = new Probe(wasi);
    }

    @AfterEach
    void outsideUnchanged() {
        g.close();
        assertEquals(outsideBefore, Probe.snapshot(outside), "nothing outside the grant changed");
    }

    @Test
    void dotDotIsContained() {
        assertEquals(ENOTCAPABLE, g.open(3, FOLLOW, 0, READ, 0, "../outside/secret.txt"));
        assertEquals(ENOTCAPABLE, g.open(3, FOLLOW, 0, READ, 0, "sub/../../outside/secret.txt"));
        assertEquals(ENOTCAPABLE, g.open(3, FOLLOW, O_DIRECTORY, READ, 0, ".."));
        assertEquals(ENOTCAPABLE, g.open(3, FOLLOW, O_CREAT, READ | WRITE, 0, "../outside/new.txt"));
        assertEquals(ENOTCAPABLE, g.a("../outside/secret.txt").call("stat", 3, 0), "no metadata leaks either");
        assertTrue(wasi.deniedCalls().get("path_open") >= 4);
    }

    @Test
    void dotDotInsideTheGrantStillWorks() {
        assertEquals(0, g.open(3, FOLLOW, 0, READ, 0, "sub/../file.txt"));
    }

    @Test
    void absolutePathsAreRefused() {
        assertEquals(ENOTCAPABLE, g.open(3, FOLLOW, 0, READ, 0, "/etc/passwd"));
        assertEquals(ENOTCAPABLE, g.open(3, FOLLOW, 0, READ, 0, outside.resolve("secret.txt").toString()));
    }

    @Test
    void existingSymlinksPointingOutAreNotFollowed() {
        assertEquals(ENOTCAPABLE, g.open(3, FOLLOW, 0, READ, 0, "out_abs"));
        assertEquals(ENOTCAPABLE, g.open(3, FOLLOW, 0, READ, 0, "out_rel"));
        assertEquals(ENOTCAPABLE, g.open(3, FOLLOW, 0, READ, 0, "out_dir/secret.txt"), "as an intermediate component");
        assertEquals(ENOTCAPABLE, g.open(3, FOLLOW, O_CREAT, WRITE, 0, "out_dir/planted.txt"));
        assertEquals(ELOOP, g.open(3, 0, 0, READ, 0, "out_rel"), "NOFOLLOW on a symlink is ELOOP");
        assertEquals(ENOTCAPABLE, g.a("out_rel").call("stat", 3, FOLLOW));
        assertEquals(0, g.a("out_rel").call("stat", 3, 0), "lstat of the link itself is fine");
    }

    @Test
    void symlinksInsideTheGrantAreFollowed() {
        assertEquals(0, g.open(3, FOLLOW, 0, READ, 0, "in_rel"));
        assertEquals(0, g.call("read", g.result(), 10));
        assertEquals(5, g.result());
    }

    @Test
    void writingThroughAnOutwardSymlinkIsRefused() {
        assertEquals(ENOTCAPABLE, g.open(3, FOLLOW, Probe.O_TRUNC, WRITE, 0, "out_rel"));
        assertEquals(ENOTCAPABLE, g.a("out_rel").call("path_times", 3, FOLLOW), "set_times through the link");
        assertEquals(ENOTCAPABLE, g.a("out_dir/secret.txt").call("path_times", 3, 0));
    }

    @Test
    void guestCannotCreateSymlinksPointingOut() {
        assertEquals(ENOTCAPABLE, g.a("../outside/secret.txt").b("evil").call("symlink", 3));
        assertEquals(ENOTCAPABLE, g.a(outside.resolve("secret.txt").toString()).b("evil2").call("symlink", 3));
        assertEquals(ENOTCAPABLE, g.a("../../outside").b("sub/evil3").call("symlink", 3));
        assertFalse(Files.exists(sandbox.resolve("evil"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(sandbox.resolve("evil2"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(sandbox.resolve("sub/evil3"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aSymlinkCannotBeMovedWhereItWouldPointOut() {
        assertEquals(0, g.a("../file.txt").b("sub/up").call("symlink", 3), "inside where it is created");
        assertEquals(0, g.open(3, FOLLOW, 0, READ, 0, "sub/up"));
        assertEquals(ENOTCAPABLE, g.a("sub/up").b("up").call("rename", 3, 3), "at the root it would point out");
        assertTrue(Files.isSymbolicLink(sandbox.resolve("sub/up")));
    }

    @Test
    void aSymlinkInAMovedDirectoryIsStillContained() throws Exception {
        assertEquals(0, g.a("a").call("mkdir", 3));
        assertEquals(0, g.a("a/sub").call("mkdir", 3));
        assertEquals(0, g.a("../../outside").b("a/sub/e").call("symlink", 3), "inside where it is created");
        assertEquals(0, g.a("a/sub").b("d").call("rename", 3, 3), "its directory moves up a level");
        assertEquals(ENOTCAPABLE, g.open(3, FOLLOW, 0, READ, 0, "d/e/secret.txt"), "now it would point out");
        assertEquals(ENOTCAPABLE, g.open(3, FOLLOW, O_DIRECTORY, READ, 0, "d/e"));
    }

    @Test
    void anOpenFileWhoseDirectoryIsSwappedForAnOutwardLinkIsContained() throws Exception {
        Files.writeString(outside.resolve("f"), "victim");
        outsideBefore = Probe.snapshot(outside);
        assertEquals(0, g.a("d").call("mkdir", 3));
        assertEquals(0, g.a("d/e").call("mkdir", 3));
        assertEquals(0, g.open(3, FOLLOW, O_CREAT, READ | WRITE, 0, "d/e/f"));
        int fd = g.result();
        assertEquals(0, g.a("d").b("d_old").call("rename", 3, 3));
        assertEquals(0, g.a("a").call("mkdir", 3));
        assertEquals(0, g.a("a/sub").call("mkdir", 3));
        assertEquals(0, g.a("../../outside").b("a/sub/e").call("symlink", 3));
        assertEquals(0, g.a("a/sub").b("d").call("rename", 3, 3));
        assertEquals(ENOTCAPABLE, g.call("fd_times", fd), "set_times by path would now reach outside/f");
        assertEquals(0, g.call("write", fd, 3), "the descriptor itself still writes its own file");
        assertEquals("xxx", Files.readString(sandbox.resolve("d_old/e/f")));
    }

    @Test
    void hardLinksCannotReachOut() {
        assertEquals(ENOTCAPABLE, g.a("../outside/secret.txt").b("hard").call("link", 3, 0, 3));
        assertEquals(ENOTCAPABLE, g.a("out_rel").b("hard").call("link", 3, FOLLOW, 3));
        assertEquals(ENOTCAPABLE, g.a("out_rel").b("hard").call("link", 3, 0, 3),
                "a second name for a symlink must not point out from where it is made");
        assertEquals(EPERM, g.a("sub").b("hard").call("link", 3, 0, 3), "no hard link to a directory");
        assertEquals(ENOTCAPABLE, g.a("file.txt").b("../outside/hard").call("link", 3, 0, 3));
        assertFalse(Files.exists(sandbox.resolve("hard"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertEquals(0, g.a("file.txt").b("hard_ok").call("link", 3, 0, 3), "inside the grant it works");
    }

    @Test
    void renameCannotMoveFilesOutOrIn() {
        assertEquals(ENOTCAPABLE, g.a("file.txt").b("../outside/moved.txt").call("rename", 3, 3));
        assertEquals(ENOTCAPABLE, g.a("../outside/secret.txt").b("stolen.txt").call("rename", 3, 3));
        assertEquals(ENOTCAPABLE, g.a("file.txt").b("out_dir/moved.txt").call("rename", 3, 3));
        assertTrue(Files.exists(sandbox.resolve("file.txt")));
        assertEquals(EBUSY, g.a(".").b("x").call("rename", 3, 3), "the preopen itself cannot move");
    }

    @Test
    void mutationsOutsideAreRefused() {
        assertEquals(ENOTCAPABLE, g.a("../outside/newdir").call("mkdir", 3));
        assertEquals(ENOTCAPABLE, g.a("../outside/secret.txt").call("unlink", 3));
        assertEquals(ENOTCAPABLE, g.a("../outside").call("rmdir", 3));
        assertEquals(ENOTCAPABLE, g.a("out_dir/secret.txt").call("unlink", 3));
        assertEquals(0, g.a("out_abs").call("unlink", 3), "unlinking the link itself is inside the grant");
        assertEquals(EBUSY, g.a(".").call("rmdir", 3));
    }

    @Test
    void symlinkLoopsEndInEloop() {
        assertEquals(0, g.a("b").b("a").call("symlink", 3));
        assertEquals(0, g.a("a").b("b").call("symlink", 3));
        assertEquals(ELOOP, g.open(3, FOLLOW, 0, READ, 0, "a"));
    }

    @Test
    void writesInsideWorkAndTheQuotaHolds() throws Exception {
        g.close();
        g = new Probe(Wasi.builder().directory(sandbox, "/data", Access.READ_WRITE).writeQuota(10).build());
        assertEquals(0, g.open(3, FOLLOW, O_CREAT, READ | WRITE, 0, "out.txt"));
        int fd = g.result();
        assertEquals(0, g.call("write", fd, 8));
        assertEquals(EDQUOT, g.call("write", fd, 8));
        assertEquals(EDQUOT, g.call("allocate", fd, 0L, 100L));
        assertEquals(0, g.call("write", fd, 2));
        assertEquals("xxxxxxxxxx", Files.readString(sandbox.resolve("out.txt")));
    }

    @Test
    void readOnlyAndReadWriteGrantsDoNotMix(@TempDir Path other) throws Exception {
        g.close();
        Files.writeString(other.resolve("ro.txt"), "ro");
        var ro = Probe.snapshot(other);
        g = new Probe(Wasi.builder().directory(other, "/ro", Access.READ_ONLY)
                .directory(sandbox, "/rw", Access.READ_WRITE).build());
        assertEquals(EROFS, g.a("ro.txt").b("linked.txt").call("link", 3, 0, 4), "a writable alias of a read-only file");
        assertEquals(EROFS, g.a("ro.txt").b("moved.txt").call("rename", 3, 4));
        assertEquals(EROFS, g.a("file.txt").b("planted.txt").call("rename", 4, 3));
        assertEquals(ro, Probe.snapshot(other));
    }

    @Test
    void descriptorsAreBounded() {
        int opened = 0;
        int errno;
        while ((errno = g.open(3, FOLLOW, 0, READ, 0, "file.txt")) == 0) {
            opened++;
            assertTrue(opened <= 1024, "unbounded descriptors");
        }
        assertEquals(33, errno, "EMFILE");
        assertEquals(1024 - 4, opened, "stdio and the preopen count too");
        assertEquals(0, g.call("close", 10));
        assertEquals(0, g.open(3, FOLLOW, 0, READ, 0, "file.txt"));
        assertEquals(10, g.result(), "the lowest free number is reused");
    }

    @Test
    void appendPwriteTruncateAndAllocateWorkInside() throws Exception {
        assertEquals(0, g.open(3, FOLLOW, 0, READ | WRITE, Probe.APPEND, "file.txt"));
        int fd = g.result();
        assertEquals(0, g.call("write", fd, 2));
        assertEquals("helloxx", Files.readString(sandbox.resolve("file.txt")));
        assertEquals(0, g.call("pwrite", fd, 1, 0L));
        assertEquals("xelloxx", Files.readString(sandbox.resolve("file.txt")));
        assertEquals(0, g.call("set_size", fd, 3L));
        assertEquals("xel", Files.readString(sandbox.resolve("file.txt")));
        assertEquals(0, g.call("allocate", fd, 0L, 10L));
        assertEquals(10, Files.size(sandbox.resolve("file.txt")));
        assertEquals(0, g.open(3, FOLLOW, 0, READ, 0, "file.txt"));
        assertEquals(8, g.call("write", g.result(), 1), "a descriptor opened for reading cannot write: EBADF");
    }

    @Test
    void overlappingGrantsAreRefused() {
        var b = Wasi.builder().directory(sandbox, "/rw", Access.READ_WRITE)
                .directory(sandbox.resolve("sub"), "/ro", Access.READ_ONLY);
        assertThrows(IllegalArgumentException.class, b::build);
    }
}
