package main

import (
	"os"
	"path/filepath"
	"testing"
)

// A cgroup file is opened once and read from its start every time: each read sees what the file says then.
func TestCgroupFileReadsAgainFromItsStart(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "memory.events")
	write := func(content string) {
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644) // same inode, as the kernel's
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(content); err != nil {
			t.Fatal(err)
		}
	}
	file := &cgroupFile{candidates: []string{filepath.Join(dir, "missing"), name}}

	write("low 0\noom 0\noom_kill 3\n")
	if got := file.counter("oom_kill "); got != 3 {
		t.Fatalf("first read: oom_kill %d, want 3", got)
	}
	write("low 0\noom 1\noom_kill 14\n")
	if got := file.counter("oom_kill "); got != 14 {
		t.Fatalf("second read: oom_kill %d, want 14", got)
	}
	if got := file.counter("absent "); got != -1 {
		t.Fatalf("a line the file lacks: %d, want -1", got)
	}
}

func TestCgroupFileWithoutCandidateTellsNothing(t *testing.T) {
	file := &cgroupFile{candidates: []string{filepath.Join(t.TempDir(), "none")}}
	if got := file.value(); got != -1 {
		t.Fatalf("value %d, want -1", got)
	}
}
