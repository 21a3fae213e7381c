/**
 * Personal data in events: marking fields as a data subject's ({@link dev.temperstore.subjects.PersonalData}),
 * forgetting the subject by destroying its key, and exporting what the store holds of it.
 */
package dev.temperstore.subjects;
