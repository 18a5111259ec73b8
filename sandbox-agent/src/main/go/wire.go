package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
)

// Message types: docs/agent-protocol.md has the table.
const (
	msgPing        = 1
	msgPong        = 2
	msgExec        = 10
	msgStarted     = 11
	msgStdout      = 12
	msgStderr      = 13
	msgExit        = 14
	msgError       = 15
	msgReset       = 20
	msgResetDone   = 21
	msgStats       = 22
	msgStatsDone   = 23
	msgFileWrite   = 30
	msgFileRead    = 31
	msgFileList    = 32
	msgMkdir       = 33
	msgDelete      = 34
	msgMove        = 35
	msgProcStart   = 40
	msgProcList    = 41
	msgProcLogs    = 42
	msgProcKill    = 43
	msgData        = 50
	msgDataEnd     = 51
	msgEntry       = 52
	msgListEnd     = 53
	msgOK          = 54
	msgFileInfo    = 55
	msgProcStarted = 56
	msgProcExited  = 57
	msgTunnel      = 60
)

// Field tags.
const (
	tagArgv         = 1
	tagEnv          = 2
	tagCwd          = 3
	tagStdin        = 4
	tagTimeoutMs    = 5
	tagOutputLimit  = 6
	tagScript       = 7
	tagScriptName   = 8
	tagPid          = 20
	tagExitCode     = 21
	tagVerdict      = 22
	tagTruncated    = 23
	tagWallMs       = 24
	tagCPUMs        = 25
	tagPeakMemory   = 26
	tagErrorCode    = 30
	tagErrorMessage = 31
	tagKilled       = 32
	tagVerified     = 33
	tagVersion      = 40
	tagUptimeMs     = 41
	tagPath         = 50
	tagTarget       = 51
	tagMode         = 52
	tagAppend       = 53
	tagRecursive    = 54
	tagSize         = 55
	tagMtimeMs      = 56
	tagType         = 57
	tagName         = 58
	tagOverwrite    = 59
	tagParents      = 60
	tagSignal       = 61
	tagRunning      = 62
	tagTailBytes    = 63
	tagFollow       = 64
	tagStartedMs    = 65
	tagDropped      = 66
	tagPort         = 67
	tagMemoryUsed   = 68
	tagDiskUsed     = 69
	tagDiskSize     = 70
	tagTmpUsed      = 71
	tagTmpSize      = 72
)

// Field kinds.
const (
	kindLong    = 1
	kindBytes   = 2
	kindString  = 3
	kindStrings = 4
	kindMap     = 5
	kindBool    = 6
)

const maxPayload = 16 * 1024 * 1024

// protocolError is a malformed frame or field list: answered with BAD_FRAME.
type protocolError struct{ msg string }

func (e *protocolError) Error() string { return e.msg }

func badFrame(format string, args ...any) error {
	return &protocolError{fmt.Sprintf(format, args...)}
}

type frame struct {
	typ     byte
	payload []byte
}

// readFrame reads one frame; io.EOF when the peer closed cleanly between frames.
func readFrame(r io.Reader) (frame, error) {
	var header [5]byte
	if _, err := io.ReadFull(r, header[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return frame{}, badFrame("connection closed inside a frame")
		}
		return frame{}, err
	}
	length := binary.BigEndian.Uint32(header[:4])
	if length > maxPayload {
		return frame{}, badFrame("frame payload of %d bytes exceeds %d", int32(length), maxPayload)
	}
	payload := make([]byte, length)
	if _, err := io.ReadFull(r, payload); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return frame{}, badFrame("connection closed inside a frame")
		}
		return frame{}, err
	}
	return frame{header[4], payload}, nil
}

// writer sends whole frames; several goroutines (stdout, stderr, the run) may share one.
type writer struct {
	mu   sync.Mutex
	conn net.Conn
}

func (w *writer) raw(typ byte, payload []byte) error {
	buf := make([]byte, 5+len(payload))
	binary.BigEndian.PutUint32(buf, uint32(len(payload)))
	buf[4] = typ
	copy(buf[5:], payload)
	w.mu.Lock()
	defer w.mu.Unlock()
	_, err := w.conn.Write(buf)
	return err
}

func (w *writer) fields(typ byte, f *fieldWriter) error {
	if f == nil {
		return w.raw(typ, nil)
	}
	return w.raw(typ, f.buf)
}

func (w *writer) fail(code, message string) {
	_ = w.fields(msgError, fields().str(tagErrorCode, code).str(tagErrorMessage, message))
}

// fieldWriter builds a field list.
type fieldWriter struct{ buf []byte }

func fields() *fieldWriter { return &fieldWriter{} }

func (f *fieldWriter) head(tag, kind byte) { f.buf = append(f.buf, tag, kind) }

func (f *fieldWriter) bytesValue(b []byte) {
	f.buf = appendUint32(f.buf, uint32(len(b)))
	f.buf = append(f.buf, b...)
}

// appendUint32 is binary.BigEndian.AppendUint32, which needs Go 1.19.
func appendUint32(buf []byte, v uint32) []byte {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return append(buf, b[:]...)
}

func (f *fieldWriter) long(tag byte, v int64) *fieldWriter {
	f.head(tag, kindLong)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(v))
	f.buf = append(f.buf, b[:]...)
	return f
}

func (f *fieldWriter) boolean(tag byte, v bool) *fieldWriter {
	f.head(tag, kindBool)
	if v {
		f.buf = append(f.buf, 1)
	} else {
		f.buf = append(f.buf, 0)
	}
	return f
}

func (f *fieldWriter) str(tag byte, v string) *fieldWriter {
	f.head(tag, kindString)
	f.bytesValue([]byte(v))
	return f
}

// request is a parsed field list; a getter of the wrong kind is a protocol error.
type request map[byte]any

func parseFields(payload []byte) (request, error) {
	r := reader{payload}
	values := request{}
	for len(r.b) > 0 {
		head, err := r.take(2)
		if err != nil {
			return nil, err
		}
		tag, kind := head[0], head[1]
		var value any
		switch kind {
		case kindLong:
			b, err := r.take(8)
			if err != nil {
				return nil, err
			}
			value = int64(binary.BigEndian.Uint64(b))
		case kindBool:
			b, err := r.take(1)
			if err != nil {
				return nil, err
			}
			value = b[0] != 0
		case kindBytes:
			b, err := r.bytes()
			if err != nil {
				return nil, err
			}
			value = b
		case kindString:
			s, err := r.bytes()
			if err != nil {
				return nil, err
			}
			value = string(s)
		case kindStrings:
			n, err := r.count()
			if err != nil {
				return nil, err
			}
			list := make([]string, 0, n)
			for i := 0; i < n; i++ {
				s, err := r.bytes()
				if err != nil {
					return nil, err
				}
				list = append(list, string(s))
			}
			value = list
		case kindMap:
			n, err := r.count()
			if err != nil {
				return nil, err
			}
			m := make([][2]string, 0, n)
			for i := 0; i < n; i++ {
				k, err := r.bytes()
				if err != nil {
					return nil, err
				}
				v, err := r.bytes()
				if err != nil {
					return nil, err
				}
				m = append(m, [2]string{string(k), string(v)})
			}
			value = m
		default:
			return nil, badFrame("unknown field kind %d for tag %d", int8(kind), tag)
		}
		values[tag] = value
	}
	return values, nil
}

type reader struct{ b []byte }

func (r *reader) take(n int) ([]byte, error) {
	if n > len(r.b) {
		return nil, badFrame("fields end in the middle of a value")
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v, nil
}

func (r *reader) count() (int, error) {
	b, err := r.take(4)
	if err != nil {
		return 0, err
	}
	n := int32(binary.BigEndian.Uint32(b))
	if n < 0 || int(n) > len(r.b) {
		return 0, badFrame("length %d exceeds the %d bytes left", n, len(r.b))
	}
	return int(n), nil
}

func (r *reader) bytes() ([]byte, error) {
	n, err := r.count()
	if err != nil {
		return nil, err
	}
	return r.take(n)
}

func kindError(tag byte, value any, want string) error {
	return badFrame("field %d is a %T, expected %s", tag, value, want)
}

func (q request) has(tag byte) bool { _, ok := q[tag]; return ok }

func (q request) long(tag byte, absent int64) (int64, error) {
	v, ok := q[tag]
	if !ok {
		return absent, nil
	}
	if l, ok := v.(int64); ok {
		return l, nil
	}
	return 0, kindError(tag, v, "Long")
}

func (q request) boolean(tag byte, absent bool) (bool, error) {
	v, ok := q[tag]
	if !ok {
		return absent, nil
	}
	if b, ok := v.(bool); ok {
		return b, nil
	}
	return false, kindError(tag, v, "Boolean")
}

// str returns the string field and whether it was present.
func (q request) str(tag byte) (string, bool, error) {
	v, ok := q[tag]
	if !ok {
		return "", false, nil
	}
	if s, ok := v.(string); ok {
		return s, true, nil
	}
	return "", false, kindError(tag, v, "String")
}

func (q request) bytes(tag byte) ([]byte, bool, error) {
	v, ok := q[tag]
	if !ok {
		return nil, false, nil
	}
	if b, ok := v.([]byte); ok {
		return b, true, nil
	}
	return nil, false, kindError(tag, v, "byte[]")
}

func (q request) strs(tag byte) ([]string, error) {
	v, ok := q[tag]
	if !ok {
		return nil, nil
	}
	if l, ok := v.([]string); ok {
		return l, nil
	}
	return nil, kindError(tag, v, "List")
}

func (q request) env(tag byte) ([][2]string, error) {
	v, ok := q[tag]
	if !ok {
		return nil, nil
	}
	if m, ok := v.([][2]string); ok {
		return m, nil
	}
	return nil, kindError(tag, v, "Map")
}
