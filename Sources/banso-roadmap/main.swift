import BansoCLI

stageMain(.roadmap)
