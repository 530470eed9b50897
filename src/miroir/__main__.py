from miroir.cli import main

main()
