package nettrace

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckLines: the lines of real strace output that use the network
// are found, and the local ones (the X server, nscd) are not.
func TestCheckLines(t *testing.T) {
	trace := `1001  execve("/bin/dossier", ["dossier"], 0x7ffd /* 20 vars */) = 0
1001  socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 5
1001  connect(5, {sa_family=AF_UNIX, sun_path=@"/tmp/.X11-unix/X77"}, 21) = 0
1001  connect(9, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT (No such file or directory)
1001  recvmsg(5, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="\1", iov_len=4096}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 32
1002  socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 3
1002  connect(3, {sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0
1003  socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) = 7
1003  sendto(7, {{len=20, type=RTM_GETADDR, flags=NLM_F_REQUEST|NLM_F_DUMP, seq=1, pid=0}, {ifa_family=AF_UNSPEC}}, 20, 0, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 20
1004  socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0
1004  socket(0x2c /* AF_??? */, SOCK_STREAM, 0) = -1 EAFNOSUPPORT
1004  socket(AF_INET, SOCK_STREAM, IPPROTO_TCP <unfinished ...>
`
	bad, err := Check([]byte(trace))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"socket(AF_INET, SOCK_DGRAM", "sa_family=AF_INET6", "socket(AF_NETLINK", "sa_family=AF_NETLINK", "socket(0x2c", "socket(AF_INET, SOCK_STREAM"}
	if len(bad) != len(want) {
		t.Fatalf("Check found %d lines, want %d:\n%s", len(bad), len(want), strings.Join(bad, "\n"))
	}
	for i, w := range want {
		if !strings.Contains(bad[i], w) {
			t.Errorf("line %d: %q, want one with %q", i, bad[i], w)
		}
	}
}

// TestCheckNeedsExecve: a trace without the program's execve (strace did
// not run it) is an error, not a pass.
func TestCheckNeedsExecve(t *testing.T) {
	if _, err := Check(nil); err == nil {
		t.Fatal("an empty trace passed")
	}
}

// TestTraceSeesNetwork: a program that opens a TCP socket is caught, one
// that only opens a Unix socket is not; through Command and through the
// wrapper. strace must be installed (make deps installs it).
func TestTraceSeesNetwork(t *testing.T) {
	dir := t.TempDir()
	// A shell has no sockets of its own; bash's /dev/tcp opens one.
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal("bash is needed:", err)
	}
	for i, c := range []struct {
		script string
		net    bool
	}{
		{`exec 3<>/dev/tcp/127.0.0.1/9 2>/dev/null; true`, true},
		{`ls / >/dev/null`, false},
	} {
		file := filepath.Join(dir, "trace"+string(rune('0'+i)))
		cmd, err := Command(file, bash, "-c", c.script)
		if err != nil {
			t.Fatal(err)
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", c.script, err, out)
		}
		bad, err := CheckFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(bad) > 0; got != c.net {
			t.Errorf("%s: network seen %v, want %v: %q", c.script, got, c.net, bad)
		}
	}

	file := filepath.Join(dir, "wrapped")
	w, err := Wrapper(dir, bash, file)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(w, "-c", `exec 3<>/dev/tcp/127.0.0.1/9 2>/dev/null; true`).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	bad, err := CheckFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) == 0 {
		b, _ := os.ReadFile(file)
		t.Fatalf("through the wrapper, a TCP socket was not seen; trace:\n%s", b)
	}
}
