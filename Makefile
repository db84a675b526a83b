# swiftlet: `make demo` to see it run, `make test` to test it. Run as root on Debian.

SWIFT ?= $(firstword $(wildcard /opt/swift/usr/bin/swift) swift)
# Debian packages the build, the tests and the demo need (python3-grpcio: the gRPC probe tests' health server).
DEPS := libseccomp-dev libcap-dev libc6-dev busybox-static runc qemu-system-x86 xz-utils \
        containernetworking-plugins iptables iproute2 util-linux curl podman conmon catatonit containerd \
        python3-grpcio
# Containers per runtime for `make bench`.
N ?= 100

RELEASE_BIN := $(CURDIR)/.build/release/swiftlet-runtime

# Steps below are ordered (deps before build before demo); never run them side by side.
.NOTPARALLEL:
.PHONY: build install demo-rootfs deps demo demo-runtime test bench fuzz clean

# -static-stdlib: one binary without a dozen Swift libraries to load; halves start-up time.
build:
	$(SWIFT) build -c release -Xswiftc -static-stdlib

# The three binaries the systemd unit (packaging/systemd/) runs; swiftlet looks for
# swiftlet-keeper next to itself.
PREFIX ?= /usr/local
install: build
	install -m 0755 .build/release/swiftlet .build/release/swiftlet-keeper .build/release/swiftlet-runtime $(PREFIX)/bin/

demo-rootfs:
	rootfs/build-busybox.sh
	rootfs/build-kubia.sh

deps:
	@missing=; \
	for p in $(DEPS); do \
	  dpkg-query -W -f='$${db:Status-Status}' "$$p" 2>/dev/null | grep -qx installed || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then \
	  echo "deps: all installed: $(DEPS)"; \
	else \
	  echo "deps: installing:$$missing"; \
	  [ "$$(id -u)" = 0 ] || { echo "deps: must run as root to install packages" >&2; exit 1; }; \
	  apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

# The seed's story: kubia-liveness turns unhealthy, is killed and restarted (rootfs/demo/).
demo: deps build demo-rootfs
	SWIFTLET=$(CURDIR)/.build/release/swiftlet rootfs/demo/run-demo.sh

# The isolation layer alone: one busybox container showing what it is isolated from.
demo-runtime: deps build demo-rootfs
	SWIFTLET_RUNTIME=$(RELEASE_BIN) rootfs/demo.sh

test: deps demo-rootfs
	$(SWIFT) test --no-parallel
	@if [ -x Tests/v2vm/run-cgroup-tests ]; then \
	  echo "test: running the pure cgroup v2 suite (Tests/v2vm/run-cgroup-tests)"; \
	  Tests/v2vm/run-cgroup-tests; \
	else \
	  echo "test: Tests/v2vm/run-cgroup-tests not found, skipping the pure cgroup v2 suite"; \
	fi

bench: build demo-rootfs
	@$(MAKE) --no-print-directory deps DEPS="$(DEPS) crun"
	SWIFTLET_RUNTIME=$(RELEASE_BIN) Benchmarks/start-latency $(N)

# libFuzzer on the pod decoder and the OCI config decoder, FUZZ_SECONDS (600) each (Fuzz/README.md).
fuzz:
	SWIFT=$(SWIFT) Fuzz/run

clean:
	rm -rf .build rootfs/busybox rootfs/.busybox.*
