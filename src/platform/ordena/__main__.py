from ordena.cli import main

main()
