import BansoCLI

stageMain(.peers)
