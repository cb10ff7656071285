/**
 * Ferrite transport module (see DESIGN: filled in by its issue).
 */
package io.ferrite.transport;
