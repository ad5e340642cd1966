import BansoCLI

stageMain(.ingest)
