/**
 * The services under test as child JVMs (started through their real commands, killed with SIGKILL or
 * stopped cleanly), and waiting on what they do.
 */
package io.streamdistill.reliability.process;
