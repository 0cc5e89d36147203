package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pacerhq/pacer/pipelines"
	"github.com/pacerhq/pacer/reports"
)

// newSendCmd is `pacer send`: the morning digest from the warehouse as it
// is (read-only), by email, or into an .eml file with --dry-run.
func newSendCmd(g *globals) *cobra.Command {
	var dryRun string
	cmd := &cobra.Command{
		Use:   "send [--dry-run FILE.eml]",
		Short: "Email the morning digest (pacer run sends it when email is configured)",
		Long: `send builds the digest — the headline in the subject, the findings, the KPIs,
the revenue per day of the last 30 days (a small PNG, inline by Content-ID), the
targets off track and a link to the report at report.base_url — from the
warehouse, and sends it through email.smtp of pacer.yaml (STARTTLS by default;
the password comes from the environment). --dry-run writes the message to an
.eml file instead, to open in a mail client.

A server that keeps refusing the message makes send exit 1 with the server's
own message.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := pipelines.LoadConfig(g.config)
			if err != nil {
				return err
			}
			if cfg.Email == nil {
				if dryRun == "" {
					return usageError{fmt.Errorf("%s has no email section: add from, to and smtp (see pacer init), or use --dry-run FILE.eml", cfg.Path)}
				}
				cfg.Email = &pipelines.EmailConfig{From: "pacer@localhost", To: []string{"you@localhost"}}
			}
			return g.send(cmd.Context(), cfg, dryRun)
		},
	}
	cmd.Flags().StringVar(&dryRun, "dry-run", "", "write the message to this .eml file instead of sending it")
	return cmd
}

func (g *globals) send(ctx context.Context, cfg *pipelines.Config, dryRun string) error {
	db, err := g.openReadOnly(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	var runID int64
	if err := db.SQL().QueryRowContext(ctx, "SELECT coalesce(max(run_id), 0) FROM meta.runs").Scan(&runID); err != nil {
		return fmt.Errorf("read meta.runs: %w", err)
	}
	d, err := reports.BuildDigest(ctx, db.SQL(), reports.DigestOptions{RunID: runID, Company: cfg.Company,
		Currency: cfg.Currency, Language: cfg.Report.Language, BaseURL: cfg.Report.BaseURL})
	if err != nil {
		return err
	}
	o := cfg.Email.MailOptions()
	o.DryRun, o.Logger = dryRun, g.logger
	if err := reports.Send(ctx, d, o); err != nil {
		return err
	}
	if dryRun != "" {
		fmt.Printf("digest written to %s: %s\n", dryRun, d.Subject)
	} else {
		fmt.Printf("digest sent to %d recipient(s): %s\n", len(o.To), d.Subject)
	}
	return nil
}
