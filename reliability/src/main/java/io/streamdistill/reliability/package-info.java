/**
 * The reliability campaign: {@link io.streamdistill.reliability.CampaignCommand} runs the cases on a
 * local stack and writes the report. The cases live in {@code cases}, the audits in {@code audit}, the
 * child processes in {@code process}, the traffic in {@code traffic}, the edge load in {@code load}.
 */
package io.streamdistill.reliability;
