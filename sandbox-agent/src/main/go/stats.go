package main

import (
	"os"
	"syscall"
)

// stats answers what the sandbox uses now: memory (its cgroup's), and the space used and the size of the working
// directory's file system and of the temporary one (tmpfs in a sandbox, so they count against memory too). A figure
// the kernel does not tell is left out.
func (a *agent) stats() *fieldWriter {
	f := fields()
	if m := memoryUsed(); m >= 0 {
		f.long(tagMemoryUsed, m)
	}
	if used, size, ok := diskUsage(a.settings.defaultCwd); ok {
		f.long(tagDiskUsed, used).long(tagDiskSize, size)
	}
	if used, size, ok := diskUsage(os.TempDir()); ok {
		f.long(tagTmpUsed, used).long(tagTmpSize, size)
	}
	return f
}

// diskUsage is the bytes used and the size of the file system that holds dir.
func diskUsage(dir string) (used, size int64, ok bool) {
	var s syscall.Statfs_t
	if err := syscall.Statfs(dir, &s); err != nil {
		return 0, 0, false
	}
	size = int64(s.Blocks) * int64(s.Bsize)
	return size - int64(s.Bfree)*int64(s.Bsize), size, true
}
