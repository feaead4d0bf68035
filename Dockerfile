# VPOP production image: Debian bookworm with Node 20, the same Debian packages and the
# same build as a bare-metal POP, because both come from scripts/bootstrap.sh and the
# lists in scripts/debian-packages/ (runtime.txt only here). Nothing is installed by
# hand in this file; add a package to runtime.txt and both paths get it.
#
#   docker build -t vpop .
#   docker run --init --network host -v /etc/vpop:/etc/vpop:ro -v /var/lib/vpop:/var/lib/vpop vpop
#
# --init gives the container a real PID 1 that reaps orphans; vpop itself stops its
# children by PID on SIGTERM (docker stop).
#
# The POP file is mounted at /etc/vpop/pop.yaml (relative paths in it resolve against
# /etc/vpop). Host networking is the norm: SIP and media bind the addresses the POP
# file names, and rtpengine needs its whole media port range.
FROM node:20-bookworm-slim

# Package maintainer scripts must not try to start services (rtpengine-daemon ships
# one); vpop starts rtpengine itself with --config-file=none. Recommends stay out of
# the image (rtpengine-daemon recommends the recording daemon, which needs the kernel
# module and cannot work in userspace).
RUN printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d \
 && printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' > /etc/apt/apt.conf.d/90vpop-no-recommends

WORKDIR /opt/vpop
COPY . .

# Same script as `npm run up` / `npm test`, runtime packages only; then drop the dev
# dependencies the build needed, and apt's lists.
RUN bash scripts/bootstrap.sh --runtime \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf /var/lib/apt/lists/* /root/.npm \
 && mkdir -p /etc/vpop /var/lib/vpop \
 && chown node:node /var/lib/vpop

ENV NODE_ENV=production
USER node
VOLUME ["/var/lib/vpop"]

# Only what belongs on the outside: SIP (UDP/TCP 5060, TLS 5061) and the media range of
# configs/pops/nyc1-*.yaml. The engine's control port (9022), rtpengine's ng (22222/udp,
# unauthenticated) and HTTP (9101) stay on loopback, and the ops endpoint (9090) on the
# inside/monitoring address with its own allow-list (ops.allow): none is published.
# These document the shipped POP files; the POP file decides the real ports.
EXPOSE 5060/udp 5060/tcp 5061/tcp 20000-39999/udp

# Asks /healthz at the ops address and port of the mounted POP file.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "dist/platform/ops-http/probe-healthz.js", "/etc/vpop/pop.yaml"]

STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/cli/vpop.js"]
CMD ["up", "--pop", "/etc/vpop/pop.yaml"]
