# Image for docker-compose's `migrate`, `app` and `worker` services (same image, different
# command; the default runs all three steps of the web side in one container).
# The local launcher (`npm start`) does not use Docker; this is for people who prefer it.
FROM node:22-bookworm-slim AS build
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
# Install first, from the lockfile only, so source edits keep this layer cached.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The workflow bundle is built here so the worker loads it instead of running webpack at start.
RUN npx tsx scripts/db/generate.ts \
 && npx remix vite:build \
 && npx tsx scripts/build-workflows.ts

FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    PORT=3000
# tsx (worker, migrations) and the Prisma CLI are needed at run time, so node_modules is
# copied whole rather than pruned to production dependencies.
COPY --from=build /app /app
# ffmpeg (video and audio previews) and tesseract (OCR) for the media worker.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu \
 && rm -rf /var/lib/apt/lists/*
# Folder channels write here (a volume in docker-compose.yml); owned by the user the worker runs as.
RUN mkdir -p /var/lib/damson/channels && chown node:node /var/lib/damson/channels
USER node
EXPOSE 3000
CMD ["sh", "-c", "node scripts/stack/ensure-bucket.mjs && npx tsx scripts/db/migrate.ts deploy && exec node server.mjs"]
