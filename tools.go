//go:build tools

// This file pins the libraries ARCHITECTURE.md chooses, so go.mod and go.sum stay complete
// while packages that use them are being written. It is never built.
package tools

import (
	_ "github.com/6tail/lunar-go/HolidayUtil"
	_ "github.com/alexedwards/argon2id"
	_ "github.com/alicebob/miniredis/v2"
	_ "github.com/caarlos0/env/v11"
	_ "github.com/chromedp/chromedp"
	_ "github.com/disintegration/imaging"
	_ "github.com/fergusstrange/embedded-postgres"
	_ "github.com/getkin/kin-openapi/openapi3"
	_ "github.com/getkin/kin-openapi/openapi3filter"
	_ "github.com/getkin/kin-openapi/routers/gorillamux"
	_ "github.com/gin-gonic/gin"
	_ "github.com/hibiken/asynq"
	_ "github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/johannesboyne/gofakes3"
	_ "github.com/johannesboyne/gofakes3/backend/s3mem"
	_ "github.com/minio/minio-go/v7"
	_ "github.com/pressly/goose/v3"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "github.com/redis/go-redis/v9"
	_ "github.com/silenceper/wechat/v2/miniprogram"
	_ "github.com/silenceper/wechat/v2/officialaccount"
	_ "github.com/sirupsen/logrus"
	_ "github.com/xuri/excelize/v2"
	_ "golang.org/x/image/webp"
)
