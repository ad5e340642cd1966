import BansoCLI

stageMain(.aggregate)
