import BansoCLI

Banso.main()
