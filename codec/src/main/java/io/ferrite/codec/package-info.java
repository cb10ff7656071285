/**
 * Ferrite codec module (see DESIGN: filled in by its issue).
 */
package io.ferrite.codec;
