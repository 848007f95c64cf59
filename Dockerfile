# syntax=docker/dockerfile:1
# Jianyi: one static binary (serve | worker | migrate | ...) on distroless.

FROM golang:1.26 AS build
WORKDIR /src
# Modules first, so source edits do not invalidate the download layer.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=linux go build -trimpath \
      -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/jianyi ./cmd/jianyi

# distroless/static: CA certificates, tzdata, /etc/passwd with "nonroot" (65532), no shell.
# The binary also embeds time/tzdata, so Asia/Shanghai works on any base.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/jianyi /usr/local/bin/jianyi
ENV JIANYI_HTTP_ADDR=:8080
USER nonroot:nonroot
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/jianyi", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/jianyi"]
CMD ["serve"]
