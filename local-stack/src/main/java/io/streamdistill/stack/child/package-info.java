/**
 * Code that runs inside the local stack's child JVMs (the broker, the registry), not in the
 * process that starts them.
 */
package io.streamdistill.stack.child;
