package agentconfig

import "strings"

// envFileAssignment is one KEY=VALUE of a file named by EnvironmentFile=.
type envFileAssignment struct {
	Key, Value string
}

// parseSystemdEnvFile reads a file named by EnvironmentFile= as systemd's
// parse_env_file_internal (src/basic/env-file.c) does, which is not a shell: KEY=VALUE lines;
// # and ; begin a comment only where a key would begin; an unquoted value is trimmed and
// a backslash takes the next character as it is (a backslash-newline joins lines);
// '...' is literal; in "..." a backslash escapes only " \ ` $ and a newline (other
// backslashes stay). Quoted and unquoted parts of a value join. Keys that are not variable
// names ("export A") are left out, as systemd ignores them when it starts the service.
func parseSystemdEnvFile(raw string) []envFileAssignment {
	const (
		preKey = iota
		key
		preValue
		value
		valueEscape
		singleQuote
		doubleQuote
		doubleQuoteEscape
		comment
	)
	var out []envFileAssignment
	state := preKey
	var k, v strings.Builder
	lastValueSpace, lastKeySpace := -1, -1
	push := func() {
		name, val := k.String(), v.String()
		if lastKeySpace >= 0 {
			name = name[:lastKeySpace]
		}
		if state == value && lastValueSpace >= 0 {
			val = val[:lastValueSpace]
		}
		if envName.MatchString(name) {
			out = append(out, envFileAssignment{Key: name, Value: val})
		}
		k.Reset()
		v.Reset()
	}
	space := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	newline := func(c byte) bool { return c == '\n' || c == '\r' }
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch state {
		case preKey:
			if c == '#' || c == ';' {
				state = comment
			} else if !space(c) {
				state, lastKeySpace = key, -1
				k.WriteByte(c)
			}
		case key:
			switch {
			case newline(c):
				state = preKey
				k.Reset()
			case c == '=':
				state, lastValueSpace = preValue, -1
			default:
				if !space(c) {
					lastKeySpace = -1
				} else if lastKeySpace < 0 {
					lastKeySpace = k.Len()
				}
				k.WriteByte(c)
			}
		case preValue:
			switch {
			case newline(c):
				push()
				state = preKey
			case c == '\'':
				state = singleQuote
			case c == '"':
				state = doubleQuote
			case c == '\\':
				state = valueEscape
			case !space(c):
				state = value
				v.WriteByte(c)
			}
		case value:
			switch {
			case newline(c):
				push()
				state = preKey
			case c == '\\':
				state, lastValueSpace = valueEscape, -1
			default:
				if !space(c) {
					lastValueSpace = -1
				} else if lastValueSpace < 0 {
					lastValueSpace = v.Len()
				}
				v.WriteByte(c)
			}
		case valueEscape:
			state = value
			if !newline(c) {
				v.WriteByte(c)
			}
		case singleQuote:
			if c == '\'' {
				state = preValue
			} else {
				v.WriteByte(c)
			}
		case doubleQuote:
			switch c {
			case '"':
				state = preValue
			case '\\':
				state = doubleQuoteEscape
			default:
				v.WriteByte(c)
			}
		case doubleQuoteEscape:
			state = doubleQuote
			if strings.IndexByte("\"\\`$", c) >= 0 {
				v.WriteByte(c)
			} else if c != '\n' {
				v.WriteByte('\\')
				v.WriteByte(c)
			}
		case comment:
			if newline(c) {
				state = preKey
			}
		}
	}
	if state >= preValue && state <= doubleQuoteEscape {
		push()
	}
	return out
}
