# syntax=docker/dockerfile:1

# Build a static binary: the runtime image has no C library to link against.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ENV CGO_ENABLED=0
RUN go build -trimpath -ldflags="-s -w" -o /out/source-botmaker .

# The Airbyte platform starts connectors with `sh -c 'eval "$AIRBYTE_ENTRYPOINT ..."'`,
# so the runtime image needs /bin/sh; alpine is the smallest base that has it.
FROM alpine:3.20
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
LABEL io.airbyte.version=0.1.0
