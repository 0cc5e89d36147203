package pipelines

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/pacerhq/pacer/connectors"
)

// tokenFile keeps the credentials platforms rotate, in a JSON file next to
// the warehouse (<warehouse>.tokens.json, mode 0600): {"source": {"key":
// "value"}}. It is written atomically (a temporary file renamed over the
// old one) and never logged. Deleting it makes the next run fall back to
// the credentials in the configuration.
type tokenFile struct {
	path string
	mu   *sync.Mutex
}

var _ connectors.TokenPairStore = tokenStore{}

// tokenStore is the store of one source.
type tokenStore struct {
	file   tokenFile
	source string
}

// TokensPath is the file rotated credentials are kept in.
func (c *Config) TokensPath() string { return c.WarehousePath() + ".tokens.json" }

var tokenFileMu sync.Mutex

func (c *Config) tokenStore(source string) connectors.TokenStore {
	return tokenStore{file: tokenFile{path: c.TokensPath(), mu: &tokenFileMu}, source: source}
}

func (f tokenFile) read() (map[string]map[string]string, error) {
	b, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	m := map[string]map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s is not a token file (JSON): %w", f.path, err)
	}
	return m, nil
}

func (s tokenStore) Load(key string) (connectors.Secret, bool, error) {
	s.file.mu.Lock()
	defer s.file.mu.Unlock()
	m, err := s.file.read()
	if err != nil {
		return "", false, err
	}
	v, ok := m[s.source][key]
	return connectors.Secret(v), ok, nil
}

func (s tokenStore) Save(key string, value connectors.Secret) error {
	return s.SaveAll(map[string]connectors.Secret{key: value})
}

// SaveAll writes every value in one atomic replacement of the file.
func (s tokenStore) SaveAll(values map[string]connectors.Secret) error {
	s.file.mu.Lock()
	defer s.file.mu.Unlock()
	m, err := s.file.read()
	if err != nil {
		return err
	}
	if m[s.source] == nil {
		m[s.source] = map[string]string{}
	}
	for key, value := range values {
		m[s.source][key] = value.Reveal()
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.file.path), ".tokens-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), s.file.path)
}
