package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/autoopsprobe/autoops-probe/internal/diagnose"
)

// explain prints the README's row for one of the wizard's codes: `autoops-probe explain
// CODE`, in any case, with --format json as everywhere else. format is what came before the
// word explain; its own --format wins.
func explain(args []string, format string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("autoops-probe explain", flag.ContinueOnError)
	var parseErrors strings.Builder
	fs.SetOutput(&parseErrors)
	fs.StringVar(&format, "format", format, "text or json")
	jsonOut := format == "json" || wantsJSON(args)
	if err := fs.Parse(args); err != nil {
		return usageError(stdout, stderr, jsonOut, "explain: %v (usage: autoops-probe explain CODE)", err)
	}
	if format != "text" && format != "json" {
		return usageError(stdout, stderr, false, "--format: %q is not text or json", format)
	}
	jsonOut = format == "json"
	names := diagnose.AgentCodeNames()
	for i, n := range names {
		if strings.Contains(n, " ") {
			names[i] = fmt.Sprintf("%q", n)
		}
	}
	known := strings.Join(names, ", ")
	if fs.NArg() != 1 {
		return usageError(stdout, stderr, jsonOut, "explain takes one code, as the wizard shows it, such as HTTP_0; known codes: %s", known)
	}
	asked := strings.TrimSpace(fs.Arg(0))
	row, ok := diagnose.ExplainCode(asked)
	if !ok {
		return usageError(stdout, stderr, jsonOut, "%q is not one of the wizard's codes; known codes: %s", asked, known)
	}
	code := strings.ToUpper(asked)
	if row.Code == diagnose.CodeLicenseTypeNotSupported {
		code = row.Code // a message, not a code: its own words
	}
	if jsonOut {
		return writeExplanationJSON(stdout, stderr, code, row)
	}
	plain := func(s string) string { return strings.ReplaceAll(s, "`", "") }
	title := code
	if code != row.Code {
		title += " (" + row.Code + ")"
	}
	fmt.Fprint(stdout, wrap(title+": ", plain(row.Meaning)))
	fmt.Fprint(stdout, wrap(fmt.Sprintf("  %-9s ", "verdicts"), plain(row.Behind())))
	fmt.Fprint(stdout, wrap(fmt.Sprintf("  %-9s ", "to do"), plain(row.Do)))
	if code == row.Code && strings.HasPrefix(code, "HTTP_") && code != diagnose.CodeHTTP0 && code != diagnose.CodeHTTPOther {
		// A listed status can come from anything that answers, as any other status can.
		fmt.Fprint(stdout, wrap(fmt.Sprintf("  %-9s ", "also"), "a verdict about what answered in Elasticsearch's place (autoops-probe explain HTTP_<status>)"))
	}
	return exitPassed
}

func writeExplanationJSON(stdout, stderr io.Writer, code string, row diagnose.AgentCode) int {
	orEmpty := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	err := enc.Encode(map[string]any{
		"schema_version": schemaVersion, "exit_status": exitPassed,
		"explanation": map[string]any{
			"code": code, "row": row.Code, "meaning": row.Meaning,
			"error_types": orEmpty(row.ErrorTypes), "warnings": orEmpty(row.Warnings), "what_to_do": row.Do,
		},
	})
	if err != nil {
		fmt.Fprintln(stderr, "autoops-probe:", err)
		return exitUsage
	}
	return exitPassed
}
