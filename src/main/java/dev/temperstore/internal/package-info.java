/**
 * The implementation behind the API packages: not API. Types here are public only so that the packages of the
 * library (and the service) can wire them; an application must not depend on them, and they change without notice.
 */
package dev.temperstore.internal;
