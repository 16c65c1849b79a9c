package dev.corral.capabilities;

import static dev.corral.capabilities.Probe.APPEND;
import static dev.corral.capabilities.Probe.FOLLOW;
import static dev.corral.capabilities.Probe.O_CREAT;
import static dev.corral.capabilities.Probe.O_TRUNC;
import static dev.corral.capabilities.Probe.READ;
import static dev.corral.capabilities.Probe.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** READ_ONLY holds against every mutating WASI call: the guest sees EROFS and the host sees no change. */
class ReadOnlyDirectoryTest {
    static final int EROFS = 69;

    @TempDir
    Path base;
    Path sandbox;
    Map<String, String> before;
    Wasi wasi;
    Probe g;

    @BeforeEach
    void setUp() throws Exception {
        sandbox = Files.createDirectory(base.resolve("sandbox"));
        Files.writeString(sandbox.resolve("file.txt"), "hello");
        Files.createDirectory(sandbox.resolve("sub"));
        Files.writeString(sandbox.resolve("sub/inner.txt"), "inner");
        before = Probe.snapshot(base);
        wasi = Wasi.builder().directory(sandbox, "/data", Access.READ_ONLY).build();
        g = new Probe(wasi);
    }

    @AfterEach
    void unchanged() {
        g.close();
        assertEquals(before, Probe.snapshot(base), "nothing on the host changed");
    }

    private int openFile() {
        assertEquals(0, g.open(3, FOLLOW, 0, READ, 0, "file.txt"));
        return g.result();
    }

    @Test
    void readingWorks() {
        int fd = openFile();
        assertEquals(0, g.call("read", fd, 100));
        assertEquals(5, g.result());
        assertEquals('h', g.call("byte", 0));
        assertEquals(0, g.call("readdir", 3));
        assertEquals(0, g.a("file.txt").call("stat", 3, FOLLOW), "stat");
        assertEquals(5L, g.result64(), "size");
    }

    @Test
    void openForCreateIsRefused() {
        assertEquals(EROFS, g.open(3, FOLLOW, O_CREAT, READ | WRITE, 0, "new.txt"));
        assertTrue(wasi.deniedCalls().get("path_open") >= 1, "denial counted");
    }

    @Test
    void openForTruncateIsRefused() {
        assertEquals(EROFS, g.open(3, FOLLOW, O_TRUNC, READ, 0, "file.txt"));
    }

    @Test
    void openWithWriteRightsIsRefused() {
        assertEquals(EROFS, g.open(3, FOLLOW, 0, WRITE, 0, "file.txt"));
    }

    @Test
    void openForAppendIsRefused() {
        assertEquals(EROFS, g.open(3, FOLLOW, 0, READ, APPEND, "file.txt"));
    }

    @Test
    void mkdirIsRefused() {
        assertEquals(EROFS, g.a("newdir").call("mkdir", 3));
    }

    @Test
    void unlinkIsRefused() {
        assertEquals(EROFS, g.a("file.txt").call("unlink", 3));
    }

    @Test
    void rmdirIsRefused() {
        assertEquals(EROFS, g.a("sub").call("rmdir", 3));
    }

    @Test
    void renameIsRefused() {
        assertEquals(EROFS, g.a("file.txt").b("moved.txt").call("rename", 3, 3));
    }

    @Test
    void symlinkIsRefused() {
        assertEquals(EROFS, g.a("file.txt").b("link").call("symlink", 3));
    }

    @Test
    void hardLinkIsRefused() {
        assertEquals(EROFS, g.a("file.txt").b("hard").call("link", 3, 0, 3));
    }

    @Test
    void pathSetTimesIsRefused() {
        assertEquals(EROFS, g.a("file.txt").call("path_times", 3, FOLLOW));
    }

    @Test
    void everyWriteOnAReadOnlyDescriptorIsRefused() {
        int fd = openFile();
        assertEquals(EROFS, g.call("write", fd, 3), "fd_write");
        assertEquals(EROFS, g.call("pwrite", fd, 3, 0L), "fd_pwrite");
        assertEquals(EROFS, g.call("allocate", fd, 0L, 100L), "fd_allocate");
        assertEquals(EROFS, g.call("set_size", fd, 0L), "fd_filestat_set_size (truncate)");
        assertEquals(EROFS, g.call("set_size", fd, 100L), "fd_filestat_set_size (extend)");
        assertEquals(EROFS, g.call("fd_times", fd), "fd_filestat_set_times");
        assertEquals(EROFS, g.call("set_flags", fd, APPEND), "fd_fdstat_set_flags(APPEND)");
    }

    @Test
    void writesOnTheDirectoryDescriptorAreRefused() {
        assertEquals(EROFS, g.call("write", 3, 3));
        assertEquals(EROFS, g.call("allocate", 3, 0L, 1L));
        assertEquals(EROFS, g.call("fd_times", 3));
    }

    @Test
    void aSubdirectoryOpenedFromAReadOnlyGrantIsReadOnlyToo() {
        assertEquals(0, g.open(3, FOLLOW, Probe.O_DIRECTORY, READ, 0, "sub"));
        int sub = g.result();
        assertEquals(EROFS, g.open(sub, FOLLOW, O_CREAT, WRITE, 0, "x"));
        assertEquals(EROFS, g.a("inner.txt").call("unlink", sub));
        assertEquals(EROFS, g.a("inner.txt").b("../file2.txt").call("rename", sub, 3));
    }

    @Test
    void contentIsReadExactly() throws Exception {
        int fd = openFile();
        assertEquals(0, g.call("read", fd, 2));
        assertEquals(2, g.result());
        assertEquals(0, g.call("read", fd, 100));
        assertEquals(3, g.result());
        assertEquals("llo", new String(new byte[] {(byte) g.call("byte", 0), (byte) g.call("byte", 1),
                (byte) g.call("byte", 2)}, StandardCharsets.US_ASCII));
    }
}
