-- A schedule's launch keeps its secrets sealed with the server's encryption key: the arguments and
-- properties columns hold them masked, as every response shows them, and each fire opens the seal.
ALTER TABLE "schedule" ADD COLUMN "sealed_launch" TEXT;
