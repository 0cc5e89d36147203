package pipelines

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pacerhq/pacer/connectors"
)

func TestTokenStoreKeepsRotatedCredentialsPrivately(t *testing.T) {
	dir := t.TempDir()
	cfg := &Config{Dir: dir, Warehouse: WarehouseConfig{Path: "pacer.duckdb"}}
	a, b := cfg.tokenStore("ads"), cfg.tokenStore("crm")
	if _, ok, err := a.Load("refresh_token"); ok || err != nil {
		t.Fatalf("empty store: %v %v", ok, err)
	}
	if err := a.Save("refresh_token", "r1"); err != nil {
		t.Fatal(err)
	}
	if err := b.Save("refresh_token", "other"); err != nil {
		t.Fatal(err)
	}
	if err := a.Save("refresh_token", "r2"); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := a.Load("refresh_token"); !ok || err != nil || v.Reveal() != "r2" {
		t.Errorf("load: %v %v %v", v.Reveal(), ok, err)
	}
	if v, _, _ := b.Load("refresh_token"); v.Reveal() != "other" {
		t.Errorf("sources share a key: %s", v.Reveal())
	}
	st, err := os.Stat(cfg.TokensPath())
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, want 0600", st.Mode().Perm())
	}
	if !strings.HasSuffix(cfg.TokensPath(), filepath.Join(dir, "pacer.duckdb.tokens.json")) {
		t.Errorf("path %s", cfg.TokensPath())
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".tokens-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestTokenStoreSavesAPairInOneWrite(t *testing.T) {
	cfg := &Config{Dir: t.TempDir(), Warehouse: WarehouseConfig{Path: "pacer.duckdb"}}
	s := cfg.tokenStore("ocean")
	pair, ok := s.(connectors.TokenPairStore)
	if !ok {
		t.Fatal("the pipeline's token store cannot save a pair")
	}
	if err := pair.SaveAll(map[string]connectors.Secret{"refresh_token": "r9", "access_token": "a9"}); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"refresh_token": "r9", "access_token": "a9"} {
		if v, ok, err := s.Load(key); !ok || err != nil || v.Reveal() != want {
			t.Errorf("%s: %q %v %v", key, v.Reveal(), ok, err)
		}
	}
}
