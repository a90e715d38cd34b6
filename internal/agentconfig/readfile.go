package agentconfig

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// The size limits of the files the probe reads. An agent configuration, an env file, a
// client certificate or key is a few kilobytes; a CA bundle may be a system's whole trust
// store (Debian's is about 220 KB).
const (
	// MaxFileSize bounds the agent's configuration, its env files and the tls cert and key files.
	MaxFileSize = 1 << 20
	// MaxCABundleSize bounds a CA file (tls.ca_file, --es-ca, ssl.certificate_authorities).
	MaxCABundleSize = 16 << 20
)

var (
	// ErrNotRegular: the path is a directory, a named pipe, a device or a socket. Reading a
	// device such as /dev/zero never ends, and opening a FIFO waits for a writer forever.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge: the file holds more than the limit for its kind.
	ErrTooLarge = errors.New("larger than the limit")
)

// ReadFile reads the regular file at path, at most limit bytes. It refuses a directory,
// named pipe, device or socket before opening it, and again on what it opened (the path may
// have been replaced in between), opening without blocking so that a FIFO put there in the
// meantime cannot hang it. Errors are *fs.PathError naming the path and what is wrong
// (ErrNotRegular, ErrTooLarge, or the system's error); never the file's content.
func ReadFile(path string, limit int64) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := checkRegular(path, info, limit); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	if info, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := checkRegular(path, info, limit); err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	if int64(len(raw)) > limit { // it grew after Stat
		return nil, tooLarge(path, limit)
	}
	return raw, nil
}

func checkRegular(path string, info fs.FileInfo, limit int64) error {
	if !info.Mode().IsRegular() {
		return &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w: it is %s", ErrNotRegular, fileKind(info.Mode()))}
	}
	if info.Size() > limit {
		return tooLarge(path, limit)
	}
	return nil
}

func tooLarge(path string, limit int64) error {
	return &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w of %s for this file", ErrTooLarge, size(limit))}
}

// fileKind names what a path that is not a regular file is.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "of type " + m.Type().String()
}

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
