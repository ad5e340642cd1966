import BansoCLI

stageMain(.packets)
