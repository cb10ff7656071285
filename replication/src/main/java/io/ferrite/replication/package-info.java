/**
 * Ferrite replication module (see DESIGN: filled in by its issue).
 */
package io.ferrite.replication;
