# syntax=docker/dockerfile:1
# copydesk in a container: a release build with the lockfile, then a small Debian runtime that
# runs it as a non-root user, listening on all interfaces.
#
#   docker build -t copydesk:0.1.0 .
#   docker run --rm -p 50051:50051 -p 9464:9464 copydesk:0.1.0
#
# No container engine runs where this project is built: deploy/container-build-check.sh runs
# the same build command, the same environment and the same health check on the host instead
# (README, "Container").

# The builder's Debian (bookworm) matches the runtime's, so the binary's glibc is there.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
# The rules, the role model and the proto are compiled in (build.rs): the binary is all there
# is to ship. The caches keep the registry and the target dir between builds.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked \
    && install -m 0755 target/release/copydesk /usr/local/bin/copydesk

FROM debian:bookworm-slim
# No shell login, no home: the server reads nothing but its own binary (and --rules if given).
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin copydesk
COPY --from=build /usr/local/bin/copydesk /usr/local/bin/copydesk
USER 10001:10001
# Every flag of `copydesk serve` has a COPYDESK_* variable (README, "Configuration").
ENV COPYDESK_LISTEN=0.0.0.0:50051 \
    COPYDESK_METRICS_LISTEN=0.0.0.0:9464 \
    COPYDESK_LOG_FORMAT=json
EXPOSE 50051 9464
# The binary's own grpc.health.v1 check (exit 0 SERVING, 1 otherwise). Start-up compiles the
# rules (a few seconds per core); SIGTERM answers NOT_SERVING for the 5 s grace, then drains.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["copydesk", "health", "--addr", "127.0.0.1:50051", "--timeout", "4s"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["copydesk"]
CMD ["serve"]
