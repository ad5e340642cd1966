import BansoCLI

stageMain(.feedback)
