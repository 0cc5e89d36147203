package reports

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/pacerhq/pacer/connectors"
)

// MailOptions say where the digest goes and through which server.
type MailOptions struct {
	From string
	To   []string
	Host string
	// Port defaults to 587 (465 with TLS "tls").
	Port     int
	Username string
	Password connectors.Secret
	// TLS is starttls (default: STARTTLS required), tls (implicit TLS,
	// port 465) or none (plain text: only for a server on this machine).
	TLS string
	// DryRun, when set, writes the message to this .eml file instead of
	// sending it.
	DryRun string
	// Tries is how many times sending is attempted (default 3), waiting
	// 2 s, then 4 s, between attempts.
	Tries  int
	Logger *slog.Logger
}

// Send delivers the digest, or writes it to opts.DryRun: the text and
// HTML alternatives, and the digest's chart as an inline PNG part
// (Content-ID, Content-Disposition: inline) that the HTML shows. A server that
// keeps refusing it makes Send fail with the server's own message. The
// password is never logged or put in an error.
func Send(ctx context.Context, d *Digest, o MailOptions) error {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	msg := mail.NewMsg()
	if err := msg.From(o.From); err != nil {
		return fmt.Errorf("email.from %q: %w", o.From, err)
	}
	if err := msg.To(o.To...); err != nil {
		return fmt.Errorf("email.to %v: %w", o.To, err)
	}
	msg.Subject(d.Subject)
	msg.SetBodyString(mail.TypeTextPlain, d.Text)
	msg.AddAlternativeString(mail.TypeTextHTML, d.HTML)
	if d.Chart != nil {
		// Shown inline by the HTML's <img src="cid:...">.
		if err := msg.EmbedReader(d.Chart.Name, bytes.NewReader(d.Chart.PNG),
			mail.WithFileContentID("<"+d.Chart.CID+">"), mail.WithFileContentType("image/png")); err != nil {
			return fmt.Errorf("embed the digest's chart: %w", err)
		}
	}
	if o.DryRun != "" {
		if err := msg.WriteToFile(o.DryRun); err != nil {
			return fmt.Errorf("write %s: %w", o.DryRun, err)
		}
		o.Logger.InfoContext(ctx, "digest written", "file", o.DryRun, "subject", d.Subject)
		return nil
	}
	opts := []mail.Option{mail.WithTimeout(30 * time.Second)}
	switch o.TLS {
	case "", "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory), mail.WithPort(portOr(o.Port, 587)))
	case "tls":
		opts = append(opts, mail.WithSSL(), mail.WithPort(portOr(o.Port, 465)))
	case "none":
		if ip := net.ParseIP(o.Host); o.Host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return fmt.Errorf("email.smtp.tls none sends the password in plain text: only a server on this machine may use it, not %s", o.Host)
		}
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS), mail.WithPort(portOr(o.Port, 25)))
	default:
		return fmt.Errorf("email.smtp.tls %q: use starttls, tls or none", o.TLS)
	}
	if o.Username != "" {
		auth := mail.SMTPAuthAutoDiscover
		if o.TLS == "none" {
			auth = mail.SMTPAuthPlainNoEnc // a server on this machine: nothing crosses a network
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(o.Username), mail.WithPassword(o.Password.Reveal()))
	}
	client, err := mail.NewClient(o.Host, opts...)
	if err != nil {
		return fmt.Errorf("smtp %s: %w", o.Host, err)
	}
	tries := o.Tries
	if tries <= 0 {
		tries = 3
	}
	wait := 2 * time.Second
	for try := 1; ; try++ {
		err = client.DialAndSendWithContext(ctx, msg)
		if err == nil {
			o.Logger.InfoContext(ctx, "digest sent", "to", len(o.To), "subject", d.Subject, "tries", try)
			return nil
		}
		if try >= tries || ctx.Err() != nil {
			break
		}
		o.Logger.WarnContext(ctx, "sending the digest failed; retrying", "try", try, "error", err)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait *= 2
	}
	return errors.Join(fmt.Errorf("smtp %s: the digest was not sent after %d tries", o.Host, tries), err)
}

func portOr(p, def int) int {
	if p > 0 {
		return p
	}
	return def
}
