/** The browser job kind's contracts: what a page job asks ({@link BrowserSpec}) and what it gave ({@link BrowserResult}). */
@NullMarked
package dev.paperpod.schemas.browser;

import org.jspecify.annotations.NullMarked;
