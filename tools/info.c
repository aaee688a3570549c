// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab info: fetch the capabilities (VMXLAB_GET_CAPS, or a saved blob)
 * and print them decoded.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "info.h"

struct info_options {
	const char *device;
	const char *caps_file;
	const char *save_file;
	bool json;
};

static void info_usage(FILE *out)
{
	fprintf(out,
		"Usage: vmxlab info [--json] [--device PATH] [--save-caps FILE]\n"
		"       vmxlab info [--json] --caps-file FILE\n"
		"\n"
		"Decode the CPU's VMX capability MSRs as the vmxlab module read them\n"
		"(VMXLAB_GET_CAPS): every control bit with what the CPU allows and what\n"
		"vmxlab chose, EPT/VPID, miscellaneous data, CR0/CR4 fixed bits, the\n"
		"requirements vmxlab checks, and a summary.\n"
		"\n"
		"  --json             print the same as one JSON object\n"
		"  --device PATH      the vmxlab device (default %s)\n"
		"  --caps-file FILE   decode FILE instead of asking the device: a raw\n"
		"                     struct vmxlab_caps (%zu bytes, host byte order), as\n"
		"                     written by --save-caps; no module needed\n"
		"  --save-caps FILE   also write the device's answer to FILE, to decode\n"
		"                     later or on another machine with --caps-file\n"
		"  -h, --help         this help\n",
		VMXLAB_DEVICE_PATH, sizeof(struct vmxlab_caps));
}

static int parse_info_options(int argc, char **argv, struct info_options *opts)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "device", required_argument, NULL, 'd' },
		{ "caps-file", required_argument, NULL, 'c' },
		{ "save-caps", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			opts->json = true;
			break;
		case 'd':
			opts->device = optarg;
			break;
		case 'c':
			opts->caps_file = optarg;
			break;
		case 's':
			opts->save_file = optarg;
			break;
		case 'h':
			info_usage(stdout);
			return EXIT_OK;
		default:
			return usage_hint("info");
		}
	}
	if (optind < argc) {
		error_msg("info: unexpected argument '%s'", argv[optind]);
		return usage_hint("info");
	}
	if (opts->caps_file && opts->save_file) {
		error_msg("info: --caps-file and --save-caps exclude each other (the file has no device to save from)");
		return usage_hint("info");
	}
	if (opts->caps_file && opts->device) {
		error_msg("info: --caps-file and --device exclude each other");
		return usage_hint("info");
	}
	return -1;
}

static int read_caps_file(const char *path, struct vmxlab_caps *caps)
{
	struct stat st;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		error_msg("cannot open capabilities file %s: %s", path, strerror(errno));
		return EXIT_FAILED;
	}
	if (fstat(fd, &st) == 0 && st.st_size != (off_t)sizeof(*caps)) {
		error_msg("%s is %lld bytes, but a struct vmxlab_caps is %zu: not a capabilities file (or from another vmxlab API version)",
			  path, (long long)st.st_size, sizeof(*caps));
		close(fd);
		return EXIT_FAILED;
	}
	got = read(fd, caps, sizeof(*caps));
	close(fd);
	if (got != (ssize_t)sizeof(*caps)) {
		error_msg("cannot read %s: %s", path,
			  got < 0 ? strerror(errno) : "short read");
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static int write_caps_file(const char *path, const struct vmxlab_caps *caps)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t put;

	if (fd < 0) {
		error_msg("cannot create %s: %s", path, strerror(errno));
		return EXIT_FAILED;
	}
	put = write(fd, caps, sizeof(*caps));
	if (close(fd) != 0 || put != (ssize_t)sizeof(*caps)) {
		error_msg("cannot write %s: %s", path,
			  put < 0 ? strerror(errno) : "short write");
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static int read_caps_device(const char *path, struct vmxlab_caps *caps)
{
	int fd = device_open(path);
	int err;

	if (fd < 0)
		return -fd;
	memset(caps, 0, sizeof(*caps));
	err = ioctl(fd, VMXLAB_GET_CAPS, caps) ? errno : 0;
	close(fd);
	if (err)
		return device_ioctl_failed(path, "VMXLAB_GET_CAPS", err);
	return EXIT_OK;
}

int cmd_info(int argc, char **argv)
{
	struct info_options opts = { 0 };
	struct vmxlab_caps caps;
	const char *source;
	int ret;

	ret = parse_info_options(argc, argv, &opts);
	if (ret >= 0)
		return ret;

	if (opts.caps_file) {
		source = opts.caps_file;
		ret = read_caps_file(source, &caps);
	} else {
		source = opts.device ? opts.device : VMXLAB_DEVICE_PATH;
		ret = read_caps_device(source, &caps);
	}
	if (ret != EXIT_OK)
		return ret;
	if (caps.api_version != VMXLAB_API_VERSION)
		error_msg("warning: %s speaks vmxlab API %u, this tool API %d: the decoding may be wrong",
			  source, caps.api_version, VMXLAB_API_VERSION);
	if (opts.save_file) {
		ret = write_caps_file(opts.save_file, &caps);
		if (ret != EXIT_OK)
			return ret;
	}

	if (opts.json)
		info_print_json(stdout, &caps, source);
	else
		info_print_text(stdout, &caps, source);
	return fflush(stdout) ? EXIT_FAILED : EXIT_OK;
}
