package main

import (
	"bytes"
	"errors"
	"math/rand"
	"testing"
)

// Whatever bytes arrive, parsing answers values or a protocol error: never a panic, never another error.
func TestParseFieldsNeverPanicsOnGarbage(t *testing.T) {
	random := rand.New(rand.NewSource(1))
	valid := fields().long(tagTimeoutMs, 5).str(tagCwd, "/workspace").boolean(tagAppend, true).buf
	for i := 0; i < 20000; i++ {
		var payload []byte
		if i%2 == 0 {
			payload = make([]byte, random.Intn(64))
			random.Read(payload)
		} else {
			// a valid list, cut short or with one byte changed
			payload = append([]byte(nil), valid[:random.Intn(len(valid)+1)]...)
			if len(payload) > 0 {
				payload[random.Intn(len(payload))] = byte(random.Intn(256))
			}
		}
		_, err := parseFields(payload)
		var bad *protocolError
		if err != nil && !errors.As(err, &bad) {
			t.Fatalf("payload %x: %v is not a protocol error", payload, err)
		}
	}
}

func TestFieldsRoundTrip(t *testing.T) {
	q, err := parseFields(fields().long(tagTimeoutMs, -7).str(tagCwd, "/tmp/ä").boolean(tagAppend, true).buf)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := q.long(tagTimeoutMs, 0); v != -7 {
		t.Errorf("long: %d", v)
	}
	if v, _, _ := q.str(tagCwd); v != "/tmp/ä" {
		t.Errorf("string: %q", v)
	}
	if v, _ := q.boolean(tagAppend, false); !v {
		t.Error("bool: false")
	}
	if _, err := q.long(tagCwd, 0); err == nil {
		t.Error("a string read as a long is a protocol error")
	}
}

func TestReadFrameRefusesOversizedAndTruncatedFrames(t *testing.T) {
	for name, in := range map[string][]byte{
		"too large":        {0x40, 0, 0, 0, msgExec},
		"negative length":  {0xff, 0xff, 0xff, 0xff, msgExec},
		"ends in a header": {0, 0},
		"ends in a body":   {0, 0, 0, 4, msgExec, 1, 2},
	} {
		_, err := readFrame(bytes.NewReader(in))
		var bad *protocolError
		if !errors.As(err, &bad) {
			t.Errorf("%s: %v, want a protocol error", name, err)
		}
	}
}
