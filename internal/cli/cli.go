// Package cli implements vigie's subcommands: one file per command, each
// registering itself; flags and wiring only, the work is done elsewhere.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/vigie-data/vigie/internal/config"
)

// Command is a vigie subcommand.
type Command struct {
	Name    string
	Summary string // one line for 'vigie help'
	Usage   string // arguments after the name, e.g. "[--json] --file PATH..."
	// Flags declares the command's flags on fs; it may keep pointers.
	Flags func(fs *flag.FlagSet, cfg *config.Config)
	// Run does the work; ctx is cancelled on SIGINT/SIGTERM.
	Run func(ctx context.Context, env *Env, args []string) error
}

// Env is what a command runs with.
type Env struct {
	Config *config.Config
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

var commands = map[string]*Command{}

// order in which 'vigie help' lists commands; others follow by name.
var order = []string{"up", "serve", "run", "ingest", "detect", "reprocess", "report", "migrate", "status", "help"}

func register(c *Command) {
	if _, dup := commands[c.Name]; dup {
		panic("cli: command registered twice: " + c.Name)
	}
	commands[c.Name] = c
}

// UsageError is a mistake in the command line: exit status 2.
type UsageError struct{ Msg string }

func (e UsageError) Error() string { return e.Msg }

// Main runs vigie with args (without the program name) and returns the exit
// status.
func Main(args []string) int {
	return run(args, &Env{Config: config.FromEnv(), Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
}

func run(args []string, env *Env) int {
	if len(args) == 0 {
		printHelp(env.Stderr)
		return 2
	}
	name := args[0]
	if name == "-h" || name == "--help" || name == "-help" {
		name = "help"
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(env.Stderr, "vigie: unknown command %q; run 'vigie help' for the list\n", name)
		return 2
	}
	fs := flag.NewFlagSet("vigie "+cmd.Name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() { commandUsage(env.Stderr, cmd, fs) }
	if cmd.Flags != nil {
		cmd.Flags(fs, env.Config)
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		// flag has printed the problem and the usage.
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cmd.Run(ctx, env, fs.Args()); err != nil {
		var ue UsageError
		if errors.As(err, &ue) {
			fmt.Fprintf(env.Stderr, "vigie %s: %s; run 'vigie %s -h' for usage\n", cmd.Name, ue.Msg, cmd.Name)
			return 2
		}
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			fmt.Fprintf(env.Stderr, "vigie %s: interrupted\n", cmd.Name)
			return 130
		}
		fmt.Fprintf(env.Stderr, "vigie %s: %s\n", cmd.Name, oneLine(err.Error()))
		return 1
	}
	return 0
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func commandUsage(w io.Writer, cmd *Command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: vigie %s %s\n\n%s\n", cmd.Name, cmd.Usage, cmd.Summary)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nflags:")
		fs.PrintDefaults()
	}
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `vigie: French public procurement open data, watched for responsible buying.

usage: vigie <command> [flags] [arguments]

commands:
`)
	listed := map[string]bool{}
	var names []string
	for _, n := range order {
		if _, ok := commands[n]; ok {
			names = append(names, n)
			listed[n] = true
		}
	}
	var rest []string
	for n := range commands {
		if !listed[n] {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	names = append(names, rest...)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].Summary)
	}
	fmt.Fprint(w, `
environment (each overridden by the flag of the same name):
  VIGIE_CLICKHOUSE  ClickHouse DSN (native protocol); unset: vigie runs its own server
  VIGIE_DATA        data directory (default ./data)
  VIGIE_ADDR        API listen address (default 127.0.0.1:8080)
  VIGIE_PIPELINES   pipeline definitions directory (default ./pipelines)

Run 'vigie <command> -h' for a command's flags.
`)
}

func init() {
	register(&Command{
		Name:    "help",
		Summary: "show commands, or a command's usage: vigie help [command]",
		Usage:   "[command]",
		Run: func(_ context.Context, env *Env, args []string) error {
			if len(args) == 0 {
				printHelp(env.Stdout)
				return nil
			}
			cmd, ok := commands[args[0]]
			if !ok {
				return UsageError{fmt.Sprintf("unknown command %q", args[0])}
			}
			fs := flag.NewFlagSet("vigie "+cmd.Name, flag.ContinueOnError)
			fs.SetOutput(env.Stdout)
			if cmd.Flags != nil {
				cmd.Flags(fs, config.FromEnv())
			}
			commandUsage(env.Stdout, cmd, fs)
			return nil
		},
	})
}
