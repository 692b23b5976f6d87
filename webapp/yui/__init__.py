"""結い: a board where neighbours ask for help (困りごと) and offer it (できること),
agree in a private thread, and confirm face to face that the help happened: both get a 結い
badge, and the coins a request offered move to its helper."""
