package main

import (
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sort"
	"syscall"
)

// File requests: write (streamed in), read (streamed out), list, mkdir, delete, move. Content is never held whole
// in memory. Failures answer ERROR with a code a caller can act on.

func (a *agent) files(conn net.Conn, out *writer, typ byte, q request) error {
	var err error
	switch typ {
	case msgFileWrite:
		err = a.writeFile(conn, out, q)
	case msgFileRead:
		err = a.readFile(out, q)
	case msgFileList:
		err = a.list(out, q)
	case msgMkdir:
		err = a.mkdir(out, q)
	case msgDelete:
		err = a.delete(out, q)
	case msgMove:
		err = a.move(out, q)
	}
	var bad *protocolError
	var pathErr *fileError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &bad):
		return err
	case errors.As(err, &pathErr):
		out.fail(pathErr.code, pathErr.message())
		return nil
	default:
		var pe *fs.PathError
		var le *os.LinkError
		switch {
		case errors.As(err, &pe):
			f := fileFailure(pe.Err, pe.Path)
			out.fail(f.code, f.message())
		case errors.As(err, &le):
			f := fileFailure(le.Err, le.New)
			if errors.Is(le.Err, syscall.ENOENT) {
				f = fileFailure(le.Err, le.Old)
			}
			out.fail(f.code, f.message())
		default:
			var ne net.Error
			if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, syscall.EPIPE) {
				return err // the worker went away
			}
			out.fail("IO_ERROR", err.Error())
		}
		return nil
	}
}

// fileError is a failure on a path with the code the protocol gives it.
type fileError struct {
	code string
	path string
}

func (e *fileError) Error() string { return e.message() }

func (e *fileError) message() string {
	what := map[string]string{
		"NOT_FOUND":       "no such file or directory",
		"NOT_A_DIRECTORY": "not a directory",
		"IS_A_DIRECTORY":  "is a directory",
		"EXISTS":          "already exists",
		"NOT_EMPTY":       "directory not empty",
		"DENIED":          "permission denied",
	}[e.code]
	if what == "" {
		what = "input/output error"
	}
	return what + ": " + e.path
}

func fileFailure(err error, path string) *fileError {
	code := "IO_ERROR"
	switch {
	case errors.Is(err, syscall.ENOENT):
		code = "NOT_FOUND"
	case errors.Is(err, syscall.ENOTDIR):
		code = "NOT_A_DIRECTORY"
	case errors.Is(err, syscall.EISDIR):
		code = "IS_A_DIRECTORY"
	case errors.Is(err, syscall.EEXIST):
		code = "EXISTS"
	case errors.Is(err, syscall.ENOTEMPTY):
		code = "NOT_EMPTY"
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM), errors.Is(err, syscall.EROFS):
		code = "DENIED"
	}
	return &fileError{code, path}
}

func (a *agent) path(q request, tag byte) (string, error) {
	p, _, err := q.str(tag)
	if err != nil {
		return "", err
	}
	if p == "" {
		return "", badFrame("a path is required (tag %d)", tag)
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(a.settings.defaultCwd, p)
	}
	return filepath.Clean(p), nil
}

// writeFile streams the content in to a temporary file beside the target, then moves it into place.
func (a *agent) writeFile(conn net.Conn, out *writer, q request) error {
	target, err := a.path(q, tagPath)
	if err != nil {
		return err
	}
	appending, err := q.boolean(tagAppend, false)
	if err != nil {
		return err
	}
	mode, err := q.long(tagMode, 0o644)
	if err != nil {
		return err
	}
	if info, err := os.Stat(target); err == nil && info.IsDir() {
		for {
			f, err := readFrame(conn)
			if err != nil || f.typ != msgData {
				break
			}
		}
		return &fileError{"IS_A_DIRECTORY", target}
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	keep := os.FileMode(0o644)
	if info, err := os.Stat(target); err == nil {
		keep = info.Mode().Perm()
	}
	var file *os.File
	if appending {
		file, err = os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o666)
	} else {
		file, err = os.CreateTemp(filepath.Dir(target), ".paperpod-*.part")
	}
	if err != nil {
		return err
	}
	err = receive(conn, file)
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if !appending {
		if err == nil {
			err = os.Chmod(file.Name(), keep)
		}
		if err == nil {
			err = os.Rename(file.Name(), target)
		}
		if err != nil {
			os.Remove(file.Name())
		}
	}
	if err != nil {
		return err
	}
	if q.has(tagMode) {
		if err := os.Chmod(target, os.FileMode(mode)&os.ModePerm); err != nil {
			return err
		}
	}
	info, err := os.Stat(target)
	if err != nil {
		return err
	}
	return out.fields(msgOK, fields().long(tagSize, info.Size()))
}

// receive copies DATA frames to the file until DATA_END.
func receive(conn net.Conn, file *os.File) error {
	for {
		f, err := readFrame(conn)
		if errors.Is(err, io.EOF) {
			return badFrame("connection closed before DATA_END")
		}
		if err != nil {
			return err
		}
		switch f.typ {
		case msgDataEnd:
			return nil
		case msgData:
			if _, err := file.Write(f.payload); err != nil {
				return err
			}
		default:
			return badFrame("expected DATA or DATA_END, got %d", f.typ)
		}
	}
}

func (a *agent) readFile(out *writer, q request) error {
	p, err := a.path(q, tagPath)
	if err != nil {
		return err
	}
	file, err := os.Open(p)
	if err != nil {
		return err
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		return err
	}
	if info.IsDir() {
		return &fileError{"IS_A_DIRECTORY", p}
	}
	if err := out.fields(msgFileInfo, fields().
		long(tagSize, info.Size()).
		long(tagMode, int64(info.Mode().Perm())).
		long(tagMtimeMs, info.ModTime().UnixMilli())); err != nil {
		return err
	}
	buffer := make([]byte, chunk)
	for {
		n, err := file.Read(buffer)
		if n > 0 {
			if err := out.raw(msgData, buffer[:n]); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
	}
	return out.raw(msgDataEnd, nil)
}

func (a *agent) list(out *writer, q request) error {
	dir, err := a.path(q, tagPath)
	if err != nil {
		return err
	}
	recursive, err := q.boolean(tagRecursive, false)
	if err != nil {
		return err
	}
	info, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return &fileError{"NOT_A_DIRECTORY", dir}
	}
	var names []string
	if recursive {
		err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if p != dir {
				rel, _ := filepath.Rel(dir, p)
				names = append(names, rel)
			}
			if err != nil && p == dir {
				return err
			}
			return nil // an entry gone while walking is skipped
		})
	} else {
		var entries []fs.DirEntry
		entries, err = os.ReadDir(dir)
		for _, e := range entries {
			names = append(names, e.Name())
		}
	}
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		info, err := os.Lstat(filepath.Join(dir, name))
		if err != nil {
			continue // gone while listing
		}
		kind := "other"
		switch {
		case info.Mode()&os.ModeSymlink != 0:
			kind = "link"
		case info.IsDir():
			kind = "dir"
		case info.Mode().IsRegular():
			kind = "file"
		}
		if err := out.fields(msgEntry, fields().
			str(tagName, name).
			str(tagType, kind).
			long(tagSize, info.Size()).
			long(tagMode, int64(info.Mode().Perm())).
			long(tagMtimeMs, info.ModTime().UnixMilli())); err != nil {
			return err
		}
	}
	return out.raw(msgListEnd, nil)
}

func (a *agent) mkdir(out *writer, q request) error {
	dir, err := a.path(q, tagPath)
	if err != nil {
		return err
	}
	parents, err := q.boolean(tagParents, true)
	if err != nil {
		return err
	}
	if info, err := os.Lstat(dir); err == nil && (!parents || !info.IsDir()) {
		return &fileError{"EXISTS", dir}
	}
	if parents {
		err = os.MkdirAll(dir, 0o755)
	} else {
		err = os.Mkdir(dir, 0o755)
	}
	if err != nil {
		return err
	}
	return out.fields(msgOK, nil)
}

func (a *agent) delete(out *writer, q request) error {
	target, err := a.path(q, tagPath)
	if err != nil {
		return err
	}
	recursive, err := q.boolean(tagRecursive, false)
	if err != nil {
		return err
	}
	info, err := os.Lstat(target)
	if err != nil {
		return err
	}
	if recursive && info.IsDir() {
		err = os.RemoveAll(target)
	} else {
		err = os.Remove(target)
	}
	if err != nil {
		return err
	}
	return out.fields(msgOK, nil)
}

func (a *agent) move(out *writer, q request) error {
	from, err := a.path(q, tagPath)
	if err != nil {
		return err
	}
	to, err := a.path(q, tagTarget)
	if err != nil {
		return err
	}
	overwrite, err := q.boolean(tagOverwrite, false)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(from); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	if _, err := os.Lstat(to); err == nil && !overwrite {
		return &fileError{"EXISTS", to}
	}
	err = os.Rename(from, to)
	if errors.Is(err, syscall.EXDEV) {
		// another file system (/tmp and /workspace are tmpfs of their own): copy, then delete
		if overwrite {
			if err := os.RemoveAll(to); err != nil {
				return err
			}
		}
		if err = copyTree(from, to); err == nil {
			err = os.RemoveAll(from)
		}
	}
	if err != nil {
		return err
	}
	return out.fields(msgOK, nil)
}

// copyTree copies a file, a link (as a link) or a directory with everything below it.
func copyTree(from, to string) error {
	info, err := os.Lstat(from)
	if err != nil {
		return err
	}
	switch {
	case info.Mode()&os.ModeSymlink != 0:
		link, err := os.Readlink(from)
		if err != nil {
			return err
		}
		return os.Symlink(link, to)
	case info.IsDir():
		if err := os.Mkdir(to, info.Mode().Perm()); err != nil {
			return err
		}
		entries, err := os.ReadDir(from)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := copyTree(filepath.Join(from, e.Name()), filepath.Join(to, e.Name())); err != nil {
				return err
			}
		}
		return nil
	default:
		in, err := os.Open(from)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, info.Mode().Perm())
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	}
}
