import BansoCLI

SynthCommand.main()
