import BansoCLI

stageMain(.clean)
