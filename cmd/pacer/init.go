package main

import (
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

//go:embed templates
var templates embed.FS

func newInitCmd(g *globals) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a commented pacer.yaml, targets.yaml and .env.example to start from",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			files := map[string]string{"pacer.yaml": "templates/pacer.yaml", "targets.yaml": "templates/targets.yaml", ".env.example": "templates/env.example"}
			for _, name := range []string{"pacer.yaml", "targets.yaml", ".env.example"} {
				dst := filepath.Join(dir, name)
				if _, err := os.Stat(dst); err == nil && !force {
					return usageError{fmt.Errorf("%s exists; use --force to overwrite", dst)}
				} else if err != nil && !errors.Is(err, os.ErrNotExist) {
					return err
				}
				b, err := templates.ReadFile(files[name])
				if err != nil {
					return err
				}
				if err := os.WriteFile(dst, b, 0o644); err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), "wrote", dst)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "next: edit %s, then `pacer validate -c %s` and `pacer run -c %s`\n",
				filepath.Join(dir, "pacer.yaml"), filepath.Join(dir, "pacer.yaml"), filepath.Join(dir, "pacer.yaml"))
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite existing files")
	return cmd
}
