#!/usr/bin/python3
"""lossyfs BACKING MOUNTPOINT: a file system that loses what was not synced.

Passes every call through to the folder BACKING, except the data of
writes: those are held in this process's memory, as a kernel's page cache
holds them, until the file is fsync'd (fsync or fdatasync), and only then
written to BACKING.  Reads see the held data; close() promises nothing.
A power cut is kill -9 of this process (and a lazy unmount): what it held
is gone, and BACKING is what a disk would hold when the machine came back.
Metadata (create, rename, unlink, truncate, mkdir) goes to BACKING at once,
as a journaling file system's would.  Used by the integration test
durability/a_power_cut_loses_no_acknowledged_order (python3-fusepy)."""
import os, sys, threading
import fusepy as fuse


class Lossy (fuse.Operations):
    def __init__ (self, root):
        self.root = root
        self.held = {}          # path -> list of (offset, bytes) not yet synced
        self.mutex = threading.Lock ()

    def _p (self, path):
        return os.path.join (self.root, path.lstrip ('/'))

    def _size (self, path, size):
        for off, data in self.held.get (path, []):
            size = max (size, off + len (data))
        return size

    # --- metadata, straight through ---
    def getattr (self, path, fh=None):
        st = os.lstat (self._p (path))
        attrs = {k: getattr (st, k) for k in ('st_atime', 'st_ctime', 'st_gid', 'st_mode',
                                              'st_mtime', 'st_nlink', 'st_size', 'st_uid')}
        with self.mutex:
            attrs['st_size'] = self._size (path, st.st_size)
        return attrs

    def readdir (self, path, fh):
        return ['.', '..'] + os.listdir (self._p (path))

    def mkdir (self, path, mode):
        os.mkdir (self._p (path), mode)

    def rmdir (self, path):
        os.rmdir (self._p (path))

    def unlink (self, path):
        with self.mutex:
            self.held.pop (path, None)
        os.unlink (self._p (path))

    def rename (self, old, new):
        with self.mutex:
            if old in self.held:
                self.held[new] = self.held.pop (old)
            else:
                self.held.pop (new, None)
        os.rename (self._p (old), self._p (new))

    def chmod (self, path, mode):
        os.chmod (self._p (path), mode)

    def utimens (self, path, times=None):
        os.utime (self._p (path), times)

    def statfs (self, path):
        st = os.statvfs (self._p (path))
        return {k: getattr (st, k) for k in ('f_bavail', 'f_bfree', 'f_blocks', 'f_bsize',
                'f_favail', 'f_ffree', 'f_files', 'f_flag', 'f_frsize', 'f_namemax')}

    def truncate (self, path, length, fh=None):
        with self.mutex:
            self._sync (path)
        os.truncate (self._p (path), length)

    # --- files ---
    def open (self, path, flags):
        return os.open (self._p (path), flags & ~os.O_APPEND)

    def create (self, path, mode, fi=None):
        return os.open (self._p (path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)

    def read (self, path, size, offset, fh):
        with self.mutex:
            buf = bytearray (os.pread (fh, size, offset))
            for off, data in self.held.get (path, []):
                lo, hi = max (off, offset), min (off + len (data), offset + size)
                if lo < hi:
                    if len (buf) < hi - offset:
                        buf.extend (b'\0' * (hi - offset - len (buf)))
                    buf[lo - offset:hi - offset] = data[lo - off:hi - off]
            return bytes (buf)

    def write (self, path, data, offset, fh):
        with self.mutex:
            self.held.setdefault (path, []).append ((offset, bytes (data)))
        return len (data)

    def _sync (self, path):
        held = self.held.pop (path, [])
        if held:
            fd = os.open (self._p (path), os.O_WRONLY)
            for off, data in held:
                os.pwrite (fd, data, off)
            os.fsync (fd)
            os.close (fd)

    def fsync (self, path, datasync, fh):
        with self.mutex:
            self._sync (path)
        return 0

    def fsyncdir (self, path, datasync, fh):
        return 0

    def flush (self, path, fh):
        return 0                # close() is no promise of durability

    def release (self, path, fh):
        os.close (fh)
        return 0


def main ():
    backing, mountpoint = sys.argv[1], sys.argv[2]
    fuse.FUSE (Lossy (backing), mountpoint, foreground=True, nothreads=False,
               direct_io=True, attr_timeout=0, entry_timeout=0)


if __name__ == '__main__':
    main ()
