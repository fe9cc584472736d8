# Build a static binary: the runtime image has no C library to link against.
# The build stage runs on the builder's own platform and cross-compiles for
# the target, so `docker buildx build --platform linux/amd64,linux/arm64`
# needs no emulation and gives a correct binary for each platform.
FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
ARG TARGETOS
ARG TARGETARCH
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ENV CGO_ENABLED=0
# The binary reports metadata.yaml's dockerImageTag, which main.go embeds;
# the io.airbyte.version label below must repeat it (internal/packaging).
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags="-s -w" \
    -o /out/source-botmaker .

# The Airbyte platform starts connectors with `sh -c 'eval "$AIRBYTE_ENTRYPOINT ..."'`,
# so the runtime image needs /bin/sh; alpine is the smallest base that has it.
# Alpine 3.23 is supported until 2027-11-01 (alpinelinux.org/releases): move
# to a newer branch before then.
FROM alpine:3.23
# Pods may run as uid 1000 (runAsNonRoot); give that uid a name and a home.
RUN addgroup -g 1000 airbyte \
 && adduser -D -u 1000 -G airbyte -h /home/airbyte airbyte
# The CA bundle comes from the build stage so the image build needs no
# package download.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/source-botmaker /airbyte/source-botmaker
WORKDIR /airbyte
USER 1000:1000

ENV AIRBYTE_ENTRYPOINT="/airbyte/source-botmaker"
ENTRYPOINT ["/airbyte/source-botmaker"]

LABEL io.airbyte.name=airbyte/source-botmaker
LABEL io.airbyte.version=0.3.0
