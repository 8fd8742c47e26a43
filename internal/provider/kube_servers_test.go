package provider

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// A real Kubernetes API server for the hand-off tests: etcd and kube-apiserver,
// built by scripts/tools.sh into .tools/k8s/bin, started on loopback once per test
// process (the first test that needs them) and stopped by TestMain. Each server's
// pid is recorded in .tools/k8s/run/, in a file named for the test process that
// started it, so that servers left behind by a test process that died without
// cleaning up (a go test -timeout panic) are stopped by the next run, here or by
// scripts/test.sh.

// kubeDir is the directory scripts/tools.sh builds the servers and the
// kubernetes provider into.
var kubeDir = filepath.Join("..", "..", ".tools", "k8s")

// kubeCluster is a running API server the tests may use.
type kubeCluster struct {
	url        string // https://127.0.0.1:<port>
	token      string // a bearer token of a system:masters user
	caFile     string // the certificate bundle kube-apiserver made for itself
	kubeconfig string // a kubeconfig file for url, caFile and token
	client     *http.Client
}

var kubeServers struct {
	once    sync.Once
	cluster *kubeCluster
	procs   []*kubeProc
	dir     string // data, certificates and logs of this run
	err     error
	skip    string
}

// kubeProc is one server process this test process started.
type kubeProc struct {
	name    string
	cmd     *exec.Cmd
	pidFile string
	exited  chan struct{}
}

// sharedKubeCluster returns the API server, starting it on the first call. The
// test is skipped when the servers are not built.
func sharedKubeCluster(t *testing.T) *kubeCluster {
	t.Helper()
	kubeServers.once.Do(func() {
		kubeServers.cluster, kubeServers.err = startKubeCluster()
	})
	if kubeServers.skip != "" {
		t.Skip(kubeServers.skip)
	}
	if kubeServers.err != nil {
		t.Fatalf("starting the Kubernetes API server: %v", kubeServers.err)
	}
	return kubeServers.cluster
}

// kubeBinaries returns the absolute paths of etcd and kube-apiserver, and
// whether both are built.
func kubeBinaries() (etcd, apiserver string, ok bool) {
	bin, err := filepath.Abs(filepath.Join(kubeDir, "bin"))
	if err != nil {
		return "", "", false
	}
	etcd, apiserver = filepath.Join(bin, "etcd"), filepath.Join(bin, "kube-apiserver")
	for _, p := range []string{etcd, apiserver} {
		if fi, err := os.Stat(p); err != nil || fi.Mode()&0o111 == 0 {
			return etcd, apiserver, false
		}
	}
	return etcd, apiserver, true
}

// startKubeCluster starts etcd and kube-apiserver on free loopback ports, with their
// files in a directory of their own under TF_ACC_TEMP_DIR.
func startKubeCluster() (*kubeCluster, error) {
	etcdBin, apiserverBin, ok := kubeBinaries()
	if !ok {
		kubeServers.skip = "etcd and kube-apiserver are not built in .tools/k8s/bin: run scripts/tools.sh k8s (make test does)"
		return nil, nil
	}
	runDir, err := filepath.Abs(filepath.Join(kubeDir, "run"))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(os.Getenv("TF_ACC_TEMP_DIR"), "kube-")
	if err != nil {
		return nil, err
	}
	kubeServers.dir = dir

	etcdClient, etcdPeer, apiPort, err := freePorts3()
	if err != nil {
		return nil, err
	}
	etcdURL, err := startEtcd(runDir, dir, etcdBin, etcdClient, etcdPeer)
	if err != nil {
		return nil, err
	}
	c, apiserver, err := startAPIServer(runDir, dir, apiserverBin, etcdURL, apiPort)
	if err != nil {
		return nil, err
	}
	if err := c.trust(apiserver); err != nil {
		return nil, err
	}
	if err := c.writeKubeconfig(dir); err != nil {
		return nil, err
	}
	return c, nil
}

// startEtcd starts etcd on the two ports and waits until it is healthy; it returns
// the client URL.
func startEtcd(runDir, dir, bin, clientPort, peerPort string) (string, error) {
	etcdURL := "http://127.0.0.1:" + clientPort
	peerURL := "http://127.0.0.1:" + peerPort
	etcd, err := startKubeProc(runDir, dir, "etcd", bin,
		"--name=handoff", "--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls="+etcdURL, "--advertise-client-urls="+etcdURL,
		"--listen-peer-urls="+peerURL, "--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=handoff="+peerURL, "--log-level=warn")
	if err != nil {
		return "", err
	}
	return etcdURL, waitReady(etcd, http.DefaultClient, etcdURL+"/health", "")
}

// startAPIServer starts kube-apiserver on etcd with a token of its own that may do
// anything, and waits until it serves, before its certificate is trusted.
func startAPIServer(runDir, dir, bin, etcdURL, port string) (*kubeCluster, *kubeProc, error) {
	token, err := randomHex(24)
	if err != nil {
		return nil, nil, err
	}
	pub, key, err := writeRSAPair(dir)
	if err != nil {
		return nil, nil, err
	}
	tokens := filepath.Join(dir, "tokens.csv")
	if err := os.WriteFile(tokens, []byte(token+`,handoff-test,handoff-test,"system:masters"`+"\n"), 0o600); err != nil {
		return nil, nil, err
	}
	certDir := filepath.Join(dir, "certs")
	apiserver, err := startKubeProc(runDir, dir, "kube-apiserver", bin,
		"--etcd-servers="+etcdURL, "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		"--secure-port="+port, "--cert-dir="+certDir, "--service-cluster-ip-range=10.0.0.0/24",
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file="+pub, "--service-account-signing-key-file="+key,
		"--token-auth-file="+tokens, "--authorization-mode=AlwaysAllow")
	if err != nil {
		return nil, nil, err
	}
	c := &kubeCluster{url: "https://127.0.0.1:" + port, token: token, caFile: filepath.Join(certDir, "apiserver.crt")}
	// The serving certificate appears before the server answers.
	insecure := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // only until the server has written its certificate
	}}
	if err := waitReady(apiserver, insecure, c.url+"/readyz", token); err != nil {
		return nil, nil, err
	}
	return c, apiserver, nil
}

// trust gives c a client that verifies the API server's certificate, and checks with
// it that the server is ready.
func (c *kubeCluster) trust(apiserver *kubeProc) error {
	pem, err := os.ReadFile(c.caFile)
	if err != nil {
		return fmt.Errorf("reading the API server's certificate: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return fmt.Errorf("%s holds no certificate", c.caFile)
	}
	c.client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	return waitReady(apiserver, c.client, c.url+"/readyz", c.token)
}

// writeKubeconfig writes the kubeconfig of c into dir, for the kubernetes provider.
func (c *kubeCluster) writeKubeconfig(dir string) error {
	c.kubeconfig = filepath.Join(dir, "kubeconfig")
	return os.WriteFile(c.kubeconfig, []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: handoff
  cluster:
    server: %s
    certificate-authority: %s
users:
- name: handoff-test
  user:
    token: %s
contexts:
- name: handoff
  context:
    cluster: handoff
    user: handoff-test
current-context: handoff
`, c.url, c.caFile, c.token)), 0o600)
}

// startKubeProc starts a server with its output in dir/<name>.log and records its
// pid in runDir.
func startKubeProc(runDir, dir, name, bin string, args ...string) (*kubeProc, error) {
	logFile, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(context.Background(), bin, args...) //nolint:gosec // bin is one of .tools/k8s/bin
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group: a Ctrl-C to go test reaches the test process, which
	// stops the server itself.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &kubeProc{name: name, cmd: cmd, exited: make(chan struct{}),
		pidFile: filepath.Join(runDir, fmt.Sprintf("%d-%s.pid", os.Getpid(), name))}
	kubeServers.procs = append(kubeServers.procs, p)
	go func() {
		_ = cmd.Wait()
		_ = logFile.Close()
		close(p.exited)
	}()
	// The pid and the data directory, for stopLeftoverKubeServers.
	if err := os.WriteFile(p.pidFile, []byte(fmt.Sprintf("%d\n%s\n", cmd.Process.Pid, dir)), 0o600); err != nil {
		return nil, err
	}
	return p, nil
}

// waitReady polls url until it answers 200, the process exits or two minutes
// pass (the machine may be busy).
func waitReady(p *kubeProc, client *http.Client, url, token string) error {
	deadline := time.Now().Add(2 * time.Minute)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited before it was ready:\n%s", p.name, logTail(p))
		default:
		}
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("%s answered %s", url, resp.Status)
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("%s was not ready after two minutes (%w):\n%s", p.name, last, logTail(p))
}

// logTail is the end of what a server logged.
func logTail(p *kubeProc) string {
	b, _ := os.ReadFile(filepath.Join(kubeServers.dir, p.name+".log"))
	return string(b[max(0, len(b)-3000):])
}

// stopKubeServers stops the servers this process started and removes their
// files; TestMain calls it after the tests.
func stopKubeServers() {
	for i := len(kubeServers.procs) - 1; i >= 0; i-- {
		p := kubeServers.procs[i]
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
		_ = os.Remove(p.pidFile)
	}
	if kubeServers.dir != "" {
		_ = os.RemoveAll(kubeServers.dir)
	}
}

// stopLeftoverKubeServers stops every server recorded in runDir by a test
// process that is gone, and removes its files. A pid is only signalled while
// it still runs one of the binaries in .tools/k8s/bin.
func stopLeftoverKubeServers(runDir string) {
	files, _ := filepath.Glob(filepath.Join(runDir, "*.pid"))
	for _, f := range files {
		owner, _, ok := strings.Cut(filepath.Base(f), "-")
		if ownerPid, err := strconv.Atoi(owner); !ok || err != nil {
			continue
		} else if ownerPid == os.Getpid() || syscall.Kill(ownerPid, 0) == nil {
			continue // a running test process owns it
		}
		content, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(content)), "\n")
		if pid, err := strconv.Atoi(lines[0]); err == nil && isKubeServer(pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			for i := 0; i < 100 && syscall.Kill(pid, 0) == nil && isKubeServer(pid); i++ {
				time.Sleep(50 * time.Millisecond)
			}
		}
		if len(lines) > 1 && strings.HasPrefix(filepath.Base(lines[1]), "kube-") {
			_ = os.RemoveAll(lines[1])
		}
		_ = os.Remove(f)
	}
}

// isKubeServer reports whether pid runs etcd or kube-apiserver from .tools/k8s/bin.
func isKubeServer(pid int) bool {
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		return false
	}
	etcd, apiserver, _ := kubeBinaries()
	for _, want := range []string{etcd, apiserver} {
		if resolved, err := filepath.EvalSymlinks(want); err == nil && resolved == exe {
			return true
		}
	}
	return false
}

// freePorts3 returns three loopback ports that were free a moment ago.
func freePorts3() (string, string, string, error) {
	var ports []string
	var lc net.ListenConfig
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	for range 3 {
		l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
		if err != nil {
			return "", "", "", err
		}
		listeners = append(listeners, l)
		_, port, _ := net.SplitHostPort(l.Addr().String())
		ports = append(ports, port)
	}
	return ports[0], ports[1], ports[2], nil
}

// writeRSAPair writes the service account signing key pair kube-apiserver needs.
func writeRSAPair(dir string) (pub, key string, err error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", "", err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return "", "", err
	}
	pub, key = filepath.Join(dir, "sa.pub"), filepath.Join(dir, "sa.key")
	err = errors.Join(
		os.WriteFile(pub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o600),
		os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)}), 0o600),
	)
	return pub, key, err
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// A server recorded by a test process that is gone is stopped, its data
// directory removed and its pid file deleted; a pid that runs anything else is
// never signalled, and a server recorded by a running test process is left alone.
func TestStopLeftoverKubeServers(t *testing.T) {
	etcd, _, _ := kubeBinaries()
	if _, err := os.Stat(etcd); err != nil {
		t.Skip("etcd is not built in .tools/k8s/bin: run scripts/tools.sh k8s")
	}
	gone := exec.CommandContext(t.Context(), "true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	deadOwner := gone.Process.Pid
	runDir, dataDir := t.TempDir(), filepath.Join(t.TempDir(), "kube-leftover")
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	start := func(bin string, args ...string) *exec.Cmd {
		cmd := exec.CommandContext(t.Context(), bin, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return cmd
	}
	ports := make([]string, 3)
	var err error
	ports[0], ports[1], ports[2], err = freePorts3()
	if err != nil {
		t.Fatal(err)
	}
	leftover := start(etcd, "--data-dir="+filepath.Join(dataDir, "etcd"),
		"--listen-client-urls=http://127.0.0.1:"+ports[0], "--advertise-client-urls=http://127.0.0.1:"+ports[0],
		"--listen-peer-urls=http://127.0.0.1:"+ports[1], "--initial-advertise-peer-urls=http://127.0.0.1:"+ports[1],
		"--initial-cluster=default=http://127.0.0.1:"+ports[1], "--log-level=error")
	bystander := start("sleep", "60")
	owned := start(etcd, "--version") // exits at once; only its pid file matters
	write := func(name string, pid int, dir string) string {
		f := filepath.Join(runDir, name)
		if err := os.WriteFile(f, []byte(fmt.Sprintf("%d\n%s\n", pid, dir)), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	leftoverFile := write(fmt.Sprintf("%d-etcd.pid", deadOwner), leftover.Process.Pid, dataDir)
	bystanderFile := write(fmt.Sprintf("%d-kube-apiserver.pid", deadOwner), bystander.Process.Pid, "")
	ownedFile := write(fmt.Sprintf("%d-etcd.pid", os.Getppid()), owned.Process.Pid, "")

	stopLeftoverKubeServers(runDir)

	exited := make(chan struct{})
	go func() { _ = leftover.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Error("the leftover etcd still runs")
	}
	if syscall.Kill(bystander.Process.Pid, 0) != nil {
		t.Error("a process that is not one of the servers was signalled")
	}
	for _, f := range []string{leftoverFile, bystanderFile} {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s was not removed", filepath.Base(f))
		}
	}
	if _, err := os.Stat(dataDir); !errors.Is(err, os.ErrNotExist) {
		t.Error("the leftover's data directory was not removed")
	}
	if _, err := os.Stat(ownedFile); err != nil {
		t.Errorf("the pid file of a running test process was removed: %v", err)
	}
}
