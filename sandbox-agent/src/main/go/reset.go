package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// reset makes a used sandbox fit for the account's next job: kills every process a job left (inside a container,
// every process but the agent and init; elsewhere, those of the sessions the agent started), wipes the reset
// directories, then checks both. A sandbox whose check fails must be destroyed, not reused.
func (a *agent) reset() *fieldWriter {
	leftover := func(pid int) bool {
		return a.settings.ownsPidNamespace || a.sessions.contains(sessionOf(pid))
	}
	killed := killAll(leftover, 3_000)
	var problems []string
	for _, dir := range a.settings.resetDirs {
		if err := wipe(dir); err != nil {
			problems = append(problems, fmt.Sprintf("cannot wipe %s: %v", dir, err))
		}
	}
	if survivors := running(leftover); len(survivors) > 0 {
		names := make([]string, len(survivors))
		for i, pid := range survivors {
			names[i] = strconv.Itoa(pid) + " " + command(pid)
		}
		problems = append(problems, fmt.Sprintf("%d process(es) survived: [%s]", len(survivors), strings.Join(names, ", ")))
	}
	for _, dir := range a.settings.resetDirs {
		if !empty(dir) {
			problems = append(problems, dir+" is not empty")
		}
	}
	a.sessions.clear()
	answer := fields().long(tagKilled, int64(killed)).boolean(tagVerified, len(problems) == 0)
	if len(problems) > 0 {
		answer.str(tagErrorMessage, strings.Join(problems, "; "))
	}
	return answer
}

// wipe deletes what is inside dir, never following links out of it.
func wipe(dir string) error {
	if info, err := os.Lstat(dir); err != nil || !info.IsDir() {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func empty(dir string) bool {
	if info, err := os.Lstat(dir); err != nil || !info.IsDir() {
		return true
	}
	f, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer f.Close()
	names, _ := f.Readdirnames(1)
	return len(names) == 0
}

func command(pid int) string {
	if exe, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe"); err == nil {
		return exe
	}
	return "?"
}
