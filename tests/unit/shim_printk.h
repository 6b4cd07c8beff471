#ifndef SHIM_PRINTK_H
#define SHIM_PRINTK_H

/* What printk printed since the test last cleared it (shim_printk.c). */
#define SHIM_PRINTK_TEXT 4096
extern char shim_printk_text[SHIM_PRINTK_TEXT];

#endif
