/* dom0's echo mode (the echo=N option): the line editor on the real console. */
#ifndef TOOLSTACK_CONSOLE_ECHO_H
#define TOOLSTACK_CONSOLE_ECHO_H

/*
 * Read `lines` lines from the console through the line editor and print
 * each back as "echo: <line>". Gives up after ECHO_IDLE_SECONDS without a
 * key, saying so.
 */
void console_echo_lines(unsigned int lines);

#endif
