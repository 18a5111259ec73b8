package main

import (
	"net"
	"os"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// keptBytes is how much of a background process's output is kept for PROC_LOGS: the last MiB.
const keptBytes = 1024 * 1024

// backgroundProcesses are long-lived processes started by name (a dev server, a watcher): each runs in a session
// of its own, its output kept in memory for PROC_LOGS, with followers served as it comes. A RESET kills them like
// any job process.
type backgroundProcesses struct {
	agent  *agent
	mu     sync.Mutex
	byName map[string]*background
}

func newBackgroundProcesses(a *agent) *backgroundProcesses {
	return &backgroundProcesses{agent: a, byName: map[string]*background{}}
}

type outputChunk struct {
	stream byte
	data   []byte
}

type background struct {
	name      string
	pid       int
	startedMs int64
	exited    chan struct{} // closed once exitCode is known
	exitCode  int
	drained   chan struct{} // closed once both output streams ended (and the exit is known, or 5 s passed)

	mu          sync.Mutex
	kept        []outputChunk // oldest first
	keptBytes   int
	dropped     int64
	followers   map[*writer]bool
	openStreams int
}

func (b *background) running() bool {
	select {
	case <-b.exited:
		return false
	default:
		return true
	}
}

func (p *backgroundProcesses) start(q request, out *writer) error {
	name, _, err := q.str(tagName)
	if err != nil {
		return err
	}
	if name == "" {
		out.fail("BAD_REQUEST", "PROC_START needs a NAME")
		return nil
	}
	argv, err := q.strs(tagArgv)
	if err != nil {
		return err
	}
	if len(argv) == 0 {
		out.fail("BAD_REQUEST", "PROC_START needs ARGV, the program and its arguments")
		return nil
	}
	cwd, err := p.agent.cwd(q)
	if err != nil {
		return err
	}
	extra, err := q.env(tagEnv)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if existing := p.byName[name]; existing != nil && existing.running() {
		out.fail("EXISTS", "a process named '"+name+"' is running (pid "+strconv.Itoa(existing.pid)+")")
		return nil
	}
	proc := p.agent.startJob(argv, environment(extra), cwd, false, out)
	if proc == nil {
		return nil
	}
	pid, exited := proc.pid, proc.exited
	b := &background{
		name: name, pid: pid, startedMs: nowMs(),
		exited: make(chan struct{}), drained: make(chan struct{}),
		followers: map[*writer]bool{}, openStreams: 2,
	}
	go func() {
		st := <-exited
		b.exitCode = st.code
		close(b.exited)
	}()
	p.byName[name] = b
	go b.pump(proc.stdout, msgStdout)
	go b.pump(proc.stderr, msgStderr)
	return out.fields(msgProcStarted, fields().str(tagName, name).long(tagPid, int64(pid)))
}

func (p *backgroundProcesses) list(out *writer) error {
	p.mu.Lock()
	all := make([]*background, 0, len(p.byName))
	for _, b := range p.byName {
		all = append(all, b)
	}
	p.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })
	for _, b := range all {
		b.mu.Lock()
		dropped := b.dropped
		b.mu.Unlock()
		entry := fields().
			str(tagName, b.name).
			long(tagPid, int64(b.pid)).
			boolean(tagRunning, b.running()).
			long(tagStartedMs, b.startedMs).
			long(tagDropped, dropped)
		if !b.running() {
			entry.long(tagExitCode, int64(b.exitCode))
		}
		if err := out.fields(msgEntry, entry); err != nil {
			return err
		}
	}
	return out.raw(msgListEnd, nil)
}

func (p *backgroundProcesses) find(q request, out *writer) (*background, error) {
	name, _, err := q.str(tagName)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	b := p.byName[name]
	p.mu.Unlock()
	if b == nil {
		out.fail("NOT_FOUND", "no background process named '"+name+"'")
	}
	return b, nil
}

func (p *backgroundProcesses) logs(q request, conn net.Conn, out *writer) error {
	b, err := p.find(q, out)
	if b == nil || err != nil {
		return err
	}
	tail, err := q.long(tagTailBytes, keptBytes)
	if err != nil {
		return err
	}
	follow, err := q.boolean(tagFollow, false)
	if err != nil {
		return err
	}
	if err := b.sendTail(tail, follow, out); err != nil {
		return err
	}
	if follow {
		left := make(chan struct{})
		go func() {
			_, _ = conn.Read(make([]byte, 1)) // returns when the follower leaves
			close(left)
		}()
		select {
		case <-b.drained:
		case <-left:
		}
		b.mu.Lock()
		delete(b.followers, out)
		b.mu.Unlock()
	}
	if b.running() {
		return out.raw(msgListEnd, nil)
	}
	return out.fields(msgProcExited, fields().str(tagName, b.name).long(tagExitCode, int64(b.exitCode)))
}

func (p *backgroundProcesses) kill(q request, out *writer) error {
	b, err := p.find(q, out)
	if b == nil || err != nil {
		return err
	}
	signal, _, err := q.str(tagSignal)
	if err != nil {
		return err
	}
	switch signal {
	case "", "TERM":
		for _, pid := range running(inSession(b.pid)) {
			_ = syscall.Kill(pid, syscall.SIGTERM)
		}
		_ = syscall.Kill(b.pid, syscall.SIGTERM)
	case "KILL":
		killSession(b.pid)
		_ = syscall.Kill(b.pid, syscall.SIGKILL)
	default:
		return badFrame("SIGNAL must be TERM or KILL, not %s", signal)
	}
	return out.fields(msgOK, nil)
}

// clear forgets every process (a RESET has killed them).
func (p *backgroundProcesses) clear() {
	p.mu.Lock()
	p.byName = map[string]*background{}
	p.mu.Unlock()
}

func (b *background) pump(in *os.File, stream byte) {
	defer in.Close()
	buffer := make([]byte, 16*1024)
	for {
		n, err := in.Read(buffer)
		if n > 0 {
			b.append(stream, append([]byte(nil), buffer[:n]...))
		}
		if err != nil {
			break
		}
	}
	b.mu.Lock()
	b.openStreams--
	last := b.openStreams == 0
	b.mu.Unlock()
	if last {
		// Give the exit a moment to be known, so a follower can be told how it ended.
		select {
		case <-b.exited:
		case <-time.After(5 * time.Second):
		}
		close(b.drained)
	}
}

func (b *background) append(stream byte, data []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.kept = append(b.kept, outputChunk{stream, data})
	b.keptBytes += len(data)
	for b.keptBytes > keptBytes && len(b.kept) > 1 {
		old := b.kept[0]
		b.kept = b.kept[1:]
		b.keptBytes -= len(old.data)
		b.dropped += int64(len(old.data))
	}
	for f := range b.followers {
		if f.raw(stream, data) != nil {
			delete(b.followers, f) // that follower went away
		}
	}
}

func (b *background) sendTail(tailBytes int64, follow bool, out *writer) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	start := len(b.kept)
	var bytes int64
	for start > 0 && bytes < tailBytes {
		start--
		bytes += int64(len(b.kept[start].data))
	}
	for _, c := range b.kept[start:] {
		if err := out.raw(c.stream, c.data); err != nil {
			return err
		}
	}
	if follow && b.openStreams > 0 {
		b.followers[out] = true
	}
	return nil
}
